using System.Text.Json;
using KinderQueue.Core.Log;

namespace KinderQueue.Cli.Verify;

/// <summary>
/// The checkpoint key a validator trusts (SPEC.md §11.1): a PEM file (<c>-----BEGIN PUBLIC KEY-----</c>),
/// the service's <c>/public/log-key</c> document, or the 91 DER bytes themselves.
/// </summary>
internal static class KeyFiles
{
    /// <summary>The 91-byte SPKI, or null with <paramref name="error"/> saying why not.</summary>
    public static byte[]? Parse(byte[] bytes, out string? error)
    {
        error = null;
        byte[]? spki = null;
        var text = System.Text.Encoding.UTF8.GetString(bytes).Trim();
        try
        {
            if (text.StartsWith("-----BEGIN PUBLIC KEY-----", StringComparison.Ordinal))
            {
                var body = text["-----BEGIN PUBLIC KEY-----".Length..];
                var end = body.IndexOf("-----END PUBLIC KEY-----", StringComparison.Ordinal);
                if (end < 0)
                {
                    error = "the PEM block has no END line";
                    return null;
                }
                spki = Convert.FromBase64String(string.Concat(body[..end].Where(c => !char.IsWhiteSpace(c))));
            }
            else if (text.StartsWith('{'))
            {
                using var doc = JsonDocument.Parse(bytes);
                if (!doc.RootElement.TryGetProperty("spki", out var s) || s.ValueKind != JsonValueKind.String)
                {
                    error = "a key document needs \"spki\" (the /public/log-key answer)";
                    return null;
                }
                spki = Convert.FromBase64String(s.GetString()!);
                if (doc.RootElement.TryGetProperty("logId", out var id) && id.GetString() != CheckpointKey.LogId(spki))
                {
                    error = "its logId is not the SHA-256 of its spki";
                    return null;
                }
            }
            else
            {
                spki = bytes;
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            error = ex.Message;
            return null;
        }
        if (!CheckpointKey.IsP256Spki(spki))
        {
            error = $"not an ECDSA P-256 public key in the published form (a {CheckpointKey.SpkiLength}-byte SPKI, SPEC.md §11.1)";
            return null;
        }
        return spki;
    }
}
