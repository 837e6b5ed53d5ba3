using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace KinderQueue.Core.Log;

/// <summary>
/// C2SP signed notes (c2sp.org/signed-note): a text ending in a newline, a blank line, then one line
/// per signature, "— name base64(keyID ‖ signature)". Only Ed25519 (type 0x01) is signed and
/// verified here; signatures of unknown keys are kept and ignored, as the format requires, so that
/// witnesses' cosignatures can ride along.
/// </summary>
public static class SignedNote
{
    /// <summary>Signature type of Ed25519 notes (c2sp.org/signed-note).</summary>
    public const byte Ed25519Type = 0x01;

    /// <summary>Up to this many signatures are read; the format asks verifiers to accept at least 16.</summary>
    public const int MaxSignatures = 64;

    private const string Dash = "\u2014 ";

    public sealed record Signature(string KeyName, uint KeyId, byte[] Bytes);

    public sealed record Note(string Text, IReadOnlyList<Signature> Signatures);

    /// <summary>key ID = SHA-256(key name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian.</summary>
    public static uint KeyId(string keyName, byte type, ReadOnlySpan<byte> publicKey)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(keyName);
        var input = new byte[name.Length + 2 + publicKey.Length];
        name.CopyTo(input, 0);
        input[name.Length] = 0x0A;
        input[name.Length + 1] = type;
        publicKey.CopyTo(input.AsSpan(name.Length + 2));
        return BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(input));
    }

    /// <summary>Whether a key name is allowed: non-empty, no Unicode space, no '+', no control character.</summary>
    public static bool IsKeyName(string name) =>
        name.Length > 0 && !name.Any(c => char.IsWhiteSpace(c) || c == '+' || char.IsControl(c));

    /// <summary>An Ed25519 signing key with its name: signs note texts.</summary>
    public sealed class Ed25519Signer
    {
        private readonly Ed25519PrivateKeyParameters _key;

        /// <param name="seed">The 32-byte RFC 8032 private key.</param>
        public Ed25519Signer(string keyName, ReadOnlySpan<byte> seed)
        {
            if (!IsKeyName(keyName)) throw new ArgumentException("A key name is non-empty, with no space and no '+'.", nameof(keyName));
            if (seed.Length != Ed25519PrivateKeyParameters.KeySize) throw new ArgumentException("An Ed25519 private key is 32 bytes.", nameof(seed));
            KeyName = keyName;
            _key = new Ed25519PrivateKeyParameters(seed.ToArray(), 0);
            PublicKey = _key.GeneratePublicKey().GetEncoded();
            KeyId = SignedNote.KeyId(keyName, Ed25519Type, PublicKey);
        }

        public string KeyName { get; }

        public byte[] PublicKey { get; }

        public uint KeyId { get; }

        /// <summary>The verifier key: name+hex(key ID)+base64(0x01 ‖ public key).</summary>
        public string VerifierKey => $"{KeyName}+{KeyId:x8}+{Convert.ToBase64String([Ed25519Type, .. PublicKey])}";

        /// <summary>The signed note of <paramref name="text"/> (which must end in a newline).</summary>
        public string Sign(string text)
        {
            CheckText(text);
            var signer = new Org.BouncyCastle.Crypto.Signers.Ed25519Signer();
            signer.Init(true, _key);
            var bytes = System.Text.Encoding.UTF8.GetBytes(text);
            signer.BlockUpdate(bytes, 0, bytes.Length);
            var signature = signer.GenerateSignature();
            var line = new byte[4 + signature.Length];
            BinaryPrimitives.WriteUInt32BigEndian(line, KeyId);
            signature.CopyTo(line, 4);
            return $"{text}\n{Dash}{KeyName} {Convert.ToBase64String(line)}\n";
        }
    }

    /// <summary>A verifier key (name+hex ID+base64(type ‖ key)) for Ed25519.</summary>
    public sealed record VerifierKey(string KeyName, uint KeyId, byte[] PublicKey)
    {
        public static Parsed<VerifierKey> Parse(string text)
        {
            ArgumentNullException.ThrowIfNull(text);
            // The base64 part may itself contain '+': split off only the name and the ID.
            var parts = text.Split('+', 3);
            if (parts.Length != 3 || !IsKeyName(parts[0]) || parts[1].Length != 8 || parts[1].Any(c => c is not (>= '0' and <= '9' or >= 'a' and <= 'f'))
                || !uint.TryParse(parts[1], System.Globalization.NumberStyles.AllowHexSpecifier, null, out var id))
                return Parsed<VerifierKey>.Fail("$", "vkey.malformed", "A verifier key is name+8 lowercase hex digits+base64 (c2sp.org/signed-note).");
            byte[] key;
            try
            {
                key = Convert.FromBase64String(parts[2]);
            }
            catch (FormatException)
            {
                return Parsed<VerifierKey>.Fail("$", "vkey.malformed", "The key part of the verifier key is not base64.");
            }
            if (key.Length != 33 || key[0] != Ed25519Type)
                return Parsed<VerifierKey>.Fail("$", "vkey.type", "Only Ed25519 verifier keys (type 0x01, 32 bytes) are supported.");
            var publicKey = key[1..];
            if (SignedNote.KeyId(parts[0], Ed25519Type, publicKey) != id)
                return Parsed<VerifierKey>.Fail("$", "vkey.id", "The key ID does not match the key name and public key.");
            return Parsed<VerifierKey>.Ok(new VerifierKey(parts[0], id, publicKey));
        }

        /// <summary>Whether <paramref name="note"/> carries a valid signature of this key over its text.</summary>
        public bool Verifies(Note note)
        {
            ArgumentNullException.ThrowIfNull(note);
            var text = System.Text.Encoding.UTF8.GetBytes(note.Text);
            foreach (var s in note.Signatures)
            {
                if (s.KeyName != KeyName || s.KeyId != KeyId || s.Bytes.Length != 64) continue;
                var verifier = new Org.BouncyCastle.Crypto.Signers.Ed25519Signer();
                verifier.Init(false, new Ed25519PublicKeyParameters(PublicKey, 0));
                verifier.BlockUpdate(text, 0, text.Length);
                if (verifier.VerifySignature(s.Bytes)) return true;
            }
            return false;
        }
    }

    /// <summary>Reads a signed note: valid UTF-8, no control characters but newlines, text, blank line, signature lines.</summary>
    public static Parsed<Note> Parse(ReadOnlySpan<byte> bytes)
    {
        string all;
        try
        {
            all = new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Parsed<Note>.Fail("$", "note.utf8", "A signed note is UTF-8.");
        }
        if (all.Any(c => c < 0x20 && c != '\n')) return Parsed<Note>.Fail("$", "note.control", "A signed note has no control characters but newlines.");
        var split = all.LastIndexOf("\n\n", StringComparison.Ordinal);
        if (split < 0 || !all.EndsWith('\n')) return Parsed<Note>.Fail("$", "note.malformed", "A signed note is a text, a blank line and signature lines, each ending in a newline.");
        var text = all[..(split + 1)];
        var lines = all[(split + 2)..^1].Split('\n');
        if (lines.Length > MaxSignatures) return Parsed<Note>.Fail("$", "note.signatures", $"More than {MaxSignatures} signatures.");
        var signatures = new List<Signature>();
        foreach (var line in lines)
        {
            if (!line.StartsWith(Dash, StringComparison.Ordinal)) return Parsed<Note>.Fail("$", "note.signature", "A signature line starts with an em dash and a space.");
            var rest = line[Dash.Length..];
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            if (space <= 0) return Parsed<Note>.Fail("$", "note.signature", "A signature line is '— name signature'.");
            var name = rest[..space];
            byte[] raw;
            try
            {
                raw = Convert.FromBase64String(rest[(space + 1)..]);
            }
            catch (FormatException)
            {
                return Parsed<Note>.Fail("$", "note.signature", "A signature is base64.");
            }
            if (!IsKeyName(name) || raw.Length < 5) return Parsed<Note>.Fail("$", "note.signature", "A signature names a key and carries a key ID and signature bytes.");
            signatures.Add(new Signature(name, BinaryPrimitives.ReadUInt32BigEndian(raw), raw[4..]));
        }
        return Parsed<Note>.Ok(new Note(text, signatures));
    }

    private static void CheckText(string text)
    {
        if (!text.EndsWith('\n') || text.Any(c => c < 0x20 && c != '\n') || text.Contains("\n\n", StringComparison.Ordinal))
            throw new ArgumentException("A note text ends in a newline and has no blank line and no control character.", nameof(text));
    }
}
