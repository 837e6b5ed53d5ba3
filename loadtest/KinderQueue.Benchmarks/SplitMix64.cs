namespace KinderQueue.Benchmarks;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator whose output is fully specified by the
/// seed, so a synthetic region is byte-for-byte the same on every machine and runtime version
/// (System.Random's algorithm is unspecified). Only integer arithmetic, no floating point maths
/// beyond exact conversions, for the same reason.
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

    /// <summary>Uniform in [0, n) by Lemire's multiply-shift (the bias below 2^-32 is irrelevant here).</summary>
    public int Below(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        return (int)(((Next() >> 32) * (ulong)n) >> 32);
    }

    /// <summary>Uniform in [0, n) for long ranges (registration instants in milliseconds).</summary>
    public long Below(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        return (long)(Next() % (ulong)n);
    }

    /// <summary>True with probability perTenThousand / 10000.</summary>
    public bool Chance(int perTenThousand) => Below(10_000) < perTenThousand;
}
