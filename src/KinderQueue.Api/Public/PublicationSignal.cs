namespace KinderQueue.Api.Public;

/// <summary>
/// Lets readers await a published value that only grows (the latest checkpoint, the latest public
/// snapshot) instead of polling it: every publication completes the current signal and starts a new one.
/// </summary>
public sealed class PublicationSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Call after the new value is visible to readers.</summary>
    public void Published() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>The first value <paramref name="current"/> gives that is <paramref name="enough"/>, as soon as there is one.</summary>
    public async Task<T> WaitForAsync<T>(Func<T?> current, Func<T, bool> enough, CancellationToken ct) where T : class
    {
        while (true)
        {
            // Take the signal before looking: a publication in between completes it, so none is missed.
            var next = Volatile.Read(ref _next).Task;
            if (current() is { } value && enough(value)) return value;
            await next.WaitAsync(ct).ConfigureAwait(false);
        }
    }
}
