using System.Diagnostics;

namespace KinderQueue.Api.Tests.Support;

/// <summary>Waiting on a condition that a background worker makes true, with a bound, instead of a fixed sleep.</summary>
public static class Poll
{
    /// <summary>Checks <paramref name="condition"/> every 50 ms until it holds; fails with <paramref name="what"/> after <paramref name="within"/>. Returns how long it took.</summary>
    public static async Task<TimeSpan> UntilAsync(Func<bool> condition, TimeSpan within, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            clock.Elapsed.Should().BeLessThan(within, what);
            await Task.Delay(50);
        }
        return clock.Elapsed;
    }
}
