using System.Security.Cryptography;
using KinderQueue.Core.Log;

namespace KinderQueue.Core.Events;

/// <summary>
/// The public commitment to an application's private record (SPEC.md §2.3):
/// hex(SHA-256(salt ‖ canonical private record)). The salt stays in the private vault, so the
/// commitment reveals nothing, yet an authorised auditor given the record and the salt can check
/// that the log refers to exactly that record. Erasing the record later leaves the log intact.
/// </summary>
public static class Commitment
{
    public static string Compute(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> privateRecord)
    {
        var buffer = new byte[salt.Length + privateRecord.Length];
        salt.CopyTo(buffer);
        privateRecord.CopyTo(buffer.AsSpan(salt.Length));
        return Hex.Encode(SHA256.HashData(buffer));
    }
}
