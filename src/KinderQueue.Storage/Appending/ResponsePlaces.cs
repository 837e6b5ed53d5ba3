namespace KinderQueue.Storage.Appending;

/// <summary>
/// Where a batch's idempotency responses are kept (issue 16): the response of a command that created
/// a private record goes into that record's row, so a submission costs two durable rows, not three;
/// every other response gets a row of its own. Both stores split the same way.
/// </summary>
internal static class ResponsePlaces
{
    /// <summary>The responses kept in a record of <paramref name="records"/>, by number, and the rest.</summary>
    public static (Dictionary<string, StoredResponse> InRecords, List<StoredResponse> Own) Split(
        IReadOnlyList<StoredResponse> responses, IReadOnlyList<PrivateRecord> records)
    {
        var inRecords = new Dictionary<string, StoredResponse>(StringComparer.Ordinal);
        var own = new List<StoredResponse>();
        if (responses.Count == 0) return (inRecords, own);
        HashSet<string>? numbers = null;
        foreach (var r in responses)
        {
            numbers ??= records.Select(x => x.Number).ToHashSet(StringComparer.Ordinal);
            // A record holds one response; a second naming the same record (a caller's mistake) keeps a row of its own.
            if (r.Number is { } number && numbers.Contains(number) && inRecords.TryAdd(number, r)) continue;
            own.Add(r);
        }
        return (inRecords, own);
    }
}
