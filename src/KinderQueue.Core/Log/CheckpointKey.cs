using System.Security.Cryptography;

namespace KinderQueue.Core.Log;

/// <summary>
/// The public key that signs a log's checkpoints (SPEC.md §11): ECDSA on P-256 with SHA-256,
/// signatures in the IEEE P1363 form r ‖ s (64 bytes), which is what WebCrypto's
/// <c>verify({name: "ECDSA", hash: "SHA-256"})</c> takes. The key is published as its
/// SubjectPublicKeyInfo (SPKI) DER, and the log is named by that key: logId = hex SHA-256(SPKI).
/// </summary>
/// <remarks>
/// Verification only, so a validator (the CLI, a browser) can check a checkpoint with Core alone;
/// signing needs a random nonce and lives in the service. Every malformed input (wrong key form,
/// bad base64, a signature of the wrong length, a DER-encoded signature) fails verification: inputs
/// come from a server that is being checked.
/// </remarks>
public static class CheckpointKey
{
    /// <summary>The algorithm's name in the published key document.</summary>
    public const string Algorithm = "ECDSA-P256-SHA256";

    /// <summary>Length of a P-256 SPKI with an uncompressed point: the only key form accepted.</summary>
    public const int SpkiLength = 91;

    /// <summary>r ‖ s, each a 32-byte big-endian integer.</summary>
    public const int SignatureLength = 64;

    /// <summary>Length of the base64 text of a signature (with its padding "==").</summary>
    public const int SignatureTextLength = 88;

    /// <summary>
    /// The 27 bytes every accepted SPKI starts with: SEQUENCE { SEQUENCE { OID id-ecPublicKey,
    /// OID prime256v1 }, BIT STRING { 0x04 (uncompressed point) ... } }; X and Y (32 bytes each) follow.
    /// Fixing the form makes the logId a function of the key alone.
    /// </summary>
    public static ReadOnlySpan<byte> SpkiPrefix =>
    [
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
        0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
    ];

    /// <summary>True when <paramref name="spki"/> has the one accepted form (the point itself is checked on import).</summary>
    public static bool IsP256Spki(ReadOnlySpan<byte> spki) => spki.Length == SpkiLength && spki.StartsWith(SpkiPrefix);

    /// <summary>logId: 64 lower-case hex digits of SHA-256 over the SPKI DER bytes (also the key's fingerprint).</summary>
    public static string LogId(ReadOnlySpan<byte> spki) => Hex.Encode(SHA256.HashData(spki));

    /// <summary>
    /// True iff <paramref name="signature"/> (canonical base64, 88 characters) is a valid P1363 ECDSA P-256
    /// SHA-256 signature of <paramref name="message"/> by the key <paramref name="spki"/>.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> spki, ReadOnlySpan<byte> message, string? signature)
    {
        if (!IsP256Spki(spki) || signature is not { Length: SignatureTextLength }) return false;
        Span<byte> raw = stackalloc byte[SignatureLength];
        if (!Convert.TryFromBase64String(signature, raw, out var written) || written != SignatureLength) return false;
        // One text per signature: the 4 unused bits before "==" must be zero, as the encoder writes them.
        if (!string.Equals(Convert.ToBase64String(raw), signature, StringComparison.Ordinal)) return false;
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(spki, out var read);
            return read == spki.Length
                && key.VerifyData(message, raw, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        catch (CryptographicException)
        {
            // Not a point on the curve, or otherwise not a key.
            return false;
        }
    }
}
