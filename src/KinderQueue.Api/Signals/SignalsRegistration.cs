using KinderQueue.Storage;
using KinderQueue.Storage.Signals;

namespace KinderQueue.Api.Signals;

/// <summary>The anomaly signals' services (issue 13): the explanation store and the gate reviews pass one at a time.</summary>
public static class SignalsRegistration
{
    public static IServiceCollection AddSignals(this IServiceCollection services)
    {
        // Both stores keep the explanation table (migration 007).
        services.AddSingleton(sp => (ISignalExplanationStore)sp.GetRequiredService<ILogStore>());
        services.AddSingleton<SignalReviewGate>();
        return services;
    }
}

/// <summary>
/// Reviews of signals pass one at a time through an instance: a review is checked against the
/// signal ledger (<c>SignalLedger.CheckReview</c>), which lives in the public projection, not in
/// the writer's state; so the check and the append must not interleave with another review's, or
/// two reviews of a signal could both pass from "new". Reviews are rare (a few a day), so the wait
/// costs nothing. Several instances on one database can still race; kq verify reports the second
/// entry (signal.review-transition) — see the README's note on running one reviewing instance.
/// </summary>
public sealed class SignalReviewGate : IDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);

    public async Task<IDisposable> EnterAsync(CancellationToken ct)
    {
        await _one.WaitAsync(ct).ConfigureAwait(false);
        return new Release(_one);
    }

    public void Dispose() => _one.Dispose();

    private sealed class Release(SemaphoreSlim one) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) one.Release();
        }
    }
}
