using NodaTime;

namespace KinderQueue.Storage;

/// <summary>Row shape of private_records; internal to Storage.</summary>
internal sealed class PrivateRow
{
    public string Number { get; set; } = "";
    public byte[] Salt { get; set; } = [];
    public byte[]? Record { get; set; }
    public byte[] AccessHash { get; set; } = [];
    public string? Owner { get; set; }
    public long? ErasedMs { get; set; }

    public PrivateRecord ToRecord() =>
        new(Number, Salt, Record, AccessHash, Owner, ErasedMs is null ? null : Instant.FromUnixTimeMilliseconds(ErasedMs.Value));
}

/// <summary>
/// Row shape of the monthly read counts. A class with setters, not the record: SQLite reports
/// computed columns of an empty result as BLOB, and only property mapping converts.
/// </summary>
internal sealed class PrivateReadCountRow
{
    public string Month { get; set; } = "";
    public string Purpose { get; set; } = "";
    public long Count { get; set; }

    public PrivateReadCount ToCount() => new(Month, Purpose, Count);
}

/// <summary>Row shape of checkpoints; internal to Storage.</summary>
internal sealed class CheckpointRow
{
    public long Size { get; set; }
    public long TimeMs { get; set; }
    public byte[] Document { get; set; } = [];
    public byte[]? Note { get; set; }

    public StoredCheckpoint ToCheckpoint() => new(Size, Instant.FromUnixTimeMilliseconds(TimeMs), Document, Note);
}

/// <summary>Row shape of checkpoint_cosignatures; internal to Storage.</summary>
internal sealed class CosignatureRow
{
    public long Size { get; set; }
    public string Witness { get; set; } = "";
    public string Line { get; set; } = "";
    public long Timestamp { get; set; }

    public StoredCosignature ToCosignature() => new(Size, Witness, Line, Timestamp);
}
