namespace KinderQueue.Api.Demo;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): the demo region's only source of variety. Its output is
/// fully specified by the seed, so the same seed gives the same region on every machine and
/// runtime (System.Random's algorithm is unspecified). Integer arithmetic only.
/// Never used for secrets: access codes and salts come from <see cref="Commands.Secrets"/>.
/// </summary>
internal sealed class SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        unchecked
        {
            var z = _state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>An independent stream for one part of the region, so that changing one part leaves the others as they were.</summary>
    public SplitMix64 Fork(ulong salt) => new(unchecked(Next() ^ (salt * 0xD1B54A32D192ED03UL)));

    /// <summary>Uniform in [0, n) by Lemire's multiply-shift (the bias below 2^-32 does not matter here).</summary>
    public int Below(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        return (int)(((Next() >> 32) * (ulong)n) >> 32);
    }

    /// <summary>Uniform in [0, n) for long ranges (instants in milliseconds).</summary>
    public long Below(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        return (long)(Next() % (ulong)n);
    }

    /// <summary>Uniform in [min, max].</summary>
    public int Between(int min, int max) => min + Below(max - min + 1);

    /// <summary>True with probability perTenThousand / 10,000.</summary>
    public bool Chance(int perTenThousand) => Below(10_000) < perTenThousand;

    public T Pick<T>(IReadOnlyList<T> items) => items[Below(items.Count)];

    /// <summary>An index drawn with the given integer weights.</summary>
    public int Weighted(IReadOnlyList<int> weights)
    {
        var total = 0;
        foreach (var w in weights) total += w;
        var draw = Below(total);
        for (var i = 0; i < weights.Count; i++)
        {
            if (draw < weights[i]) return i;
            draw -= weights[i];
        }
        return weights.Count - 1;
    }
}
