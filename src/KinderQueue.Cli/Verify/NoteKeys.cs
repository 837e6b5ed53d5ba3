using System.Text.Json;
using KinderQueue.Core.Log;

namespace KinderQueue.Cli.Verify;

/// <summary>
/// The note verifier key of SPEC.md §11.2a (<c>name+hex(key ID)+base64(0x01 ‖ key)</c>), which
/// checks the C2SP checkpoint notes: given on the command line (the text itself, or a file holding
/// it, as a witness's configuration does) or published in <c>/public/log-key</c> as <c>noteVerifierKey</c>.
/// </summary>
internal static class NoteKeys
{
    /// <summary>The key from <c>--note-key</c>: the verifier key's text, or the name of a file that holds it.</summary>
    public static SignedNote.VerifierKey? FromOption(string value, out string? error)
    {
        var text = value.Trim();
        if (!text.Contains('+', StringComparison.Ordinal) && File.Exists(value))
        {
            try
            {
                text = File.ReadAllText(value).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error = $"cannot read {value}: {ex.Message}";
                return null;
            }
        }
        var parsed = SignedNote.VerifierKey.Parse(text);
        error = parsed.Success ? null : $"not a note verifier key (name+8 hex digits+base64, c2sp.org/signed-note): {parsed.Problems[0].Message}";
        return parsed.Value;
    }

    /// <summary>
    /// What a /public/log-key document says about the note key: absent (a service from before
    /// notes), or its verifier key and origin; <paramref name="error"/> when they are unusable.
    /// </summary>
    public static SignedNote.VerifierKey? FromLogKey(byte[] document, out string? error)
    {
        error = null;
        try
        {
            using var doc = JsonDocument.Parse(document);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("noteVerifierKey", out var v)) return null;
            var parsed = v.ValueKind == JsonValueKind.String ? SignedNote.VerifierKey.Parse(v.GetString()!) : null;
            if (parsed is not { Success: true })
            {
                error = $"its noteVerifierKey is not a note verifier key{(parsed is null ? "" : ": " + parsed.Problems[0].Message)}";
                return null;
            }
            // The key's name is the log's origin (§11.2a): a document saying otherwise contradicts itself.
            if (doc.RootElement.TryGetProperty("origin", out var origin) && origin.GetString() != parsed.Value!.KeyName)
            {
                error = $"its origin '{origin}' is not the name of its noteVerifierKey ('{parsed.Value!.KeyName}')";
                return null;
            }
            return parsed.Value;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            error = ex.Message;
            return null;
        }
    }

    public static string Text(SignedNote.VerifierKey key) => $"{key.KeyName}+{key.KeyId:x8}+{Convert.ToBase64String([SignedNote.Ed25519Type, .. key.PublicKey])}";
}
