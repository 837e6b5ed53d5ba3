using System.Security.Cryptography;
using System.Text;

namespace KinderQueue.Storage.Appending;

/// <summary>
/// Idempotency responses at rest (SPEC.md §16). A retried submission must get its access code
/// back, so the first response is kept for a day; but a copy of the database must not hand out
/// the codes of every family that applied that day. The row is therefore keyed by a hash of the
/// caller's scoped Idempotency-Key and the response is sealed (AES-256-GCM) under a key derived
/// from that same scoped key, which is never stored: only the caller who sends the key again can
/// open it. The strength is the key's: callers are told to send random keys (a UUID).
/// </summary>
public static class SealedResponses
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] KeyLabel = "kinderqueue idempotency row\0"u8.ToArray();
    private static readonly byte[] SealSalt = "kinderqueue idempotency response v1"u8.ToArray();

    /// <summary>The row key: 64 hex digits that reveal neither the caller nor the key.</summary>
    public static string RowKey(string scopedKey)
    {
        var bytes = Encoding.UTF8.GetBytes(scopedKey);
        var message = new byte[KeyLabel.Length + bytes.Length];
        KeyLabel.CopyTo(message, 0);
        bytes.CopyTo(message, KeyLabel.Length);
        return Convert.ToHexStringLower(SHA256.HashData(message));
    }

    /// <summary>Version byte, nonce, tag and ciphertext of <paramref name="response"/>.</summary>
    public static byte[] Seal(string scopedKey, byte[] response)
    {
        var sealedBytes = new byte[1 + NonceSize + TagSize + response.Length];
        sealedBytes[0] = Version;
        var nonce = sealedBytes.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(DeriveKey(scopedKey), TagSize);
        aes.Encrypt(nonce, response, sealedBytes.AsSpan(1 + NonceSize + TagSize), sealedBytes.AsSpan(1 + NonceSize, TagSize));
        return sealedBytes;
    }

    /// <summary>The response, or null when the bytes were not sealed under this key (a changed or foreign row).</summary>
    public static byte[]? Open(string scopedKey, byte[] sealedBytes)
    {
        if (sealedBytes.Length < 1 + NonceSize + TagSize || sealedBytes[0] != Version) return null;
        var plain = new byte[sealedBytes.Length - 1 - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(DeriveKey(scopedKey), TagSize);
            aes.Decrypt(sealedBytes.AsSpan(1, NonceSize), sealedBytes.AsSpan(1 + NonceSize + TagSize), sealedBytes.AsSpan(1 + NonceSize, TagSize), plain);
            return plain;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] DeriveKey(string scopedKey) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(scopedKey), 32, SealSalt, "response"u8.ToArray());
}
