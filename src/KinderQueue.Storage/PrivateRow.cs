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
