using System.Buffers.Binary;
using System.Globalization;
using Org.BouncyCastle.Crypto.Parameters;

namespace KinderQueue.Core.Log;

/// <summary>
/// Ed25519 cosignatures of checkpoints (c2sp.org/tlog-cosignature, "cosignature/v1"): a witness's
/// statement that, at a time, the largest consistent tree it has seen of the log named by the
/// checkpoint's origin has this root. A cosignature is one more signature line of the checkpoint
/// note: "— name base64(key ID ‖ u64 big-endian timestamp ‖ 64-byte signature)", its key ID
/// computed with the cosignature type byte 0x04, its signed message
/// "cosignature/v1\ntime &lt;seconds&gt;\n" followed by the whole note text.
/// </summary>
public static class Cosignature
{
    /// <summary>Key ID type byte of Ed25519 cosigners (c2sp.org/tlog-cosignature).</summary>
    public const byte Ed25519Type = 0x04;

    /// <summary>Timestamp plus Ed25519 signature: the bytes after the key ID.</summary>
    public const int SignatureLength = 8 + 64;

    /// <summary>The message a cosigner signs: header, time line, then the note text (ending in a newline).</summary>
    public static byte[] SignedMessage(string noteText, ulong timestamp)
    {
        ArgumentNullException.ThrowIfNull(noteText);
        return System.Text.Encoding.UTF8.GetBytes($"cosignature/v1\ntime {timestamp.ToString(CultureInfo.InvariantCulture)}\n{noteText}");
    }

    /// <summary>A valid cosignature found on a note: who made it and when (Unix seconds).</summary>
    public sealed record Found(CosignerKey Key, ulong Timestamp);

    /// <summary>A witness's signing key and name.</summary>
    public sealed class Signer
    {
        private readonly Ed25519PrivateKeyParameters _key;

        /// <param name="seed">The 32-byte RFC 8032 private key.</param>
        public Signer(string name, ReadOnlySpan<byte> seed)
        {
            if (!SignedNote.IsKeyName(name)) throw new ArgumentException("A cosigner name is non-empty, with no space and no '+'.", nameof(name));
            if (seed.Length != Ed25519PrivateKeyParameters.KeySize) throw new ArgumentException("An Ed25519 private key is 32 bytes.", nameof(seed));
            _key = new Ed25519PrivateKeyParameters(seed.ToArray(), 0);
            Key = new CosignerKey(name, SignedNote.KeyId(name, Ed25519Type, _key.GeneratePublicKey().GetEncoded()), _key.GeneratePublicKey().GetEncoded());
        }

        public CosignerKey Key { get; }

        /// <summary>
        /// The signature line (ending in a newline) cosigning <paramref name="noteText"/> at
        /// <paramref name="timestamp"/> Unix seconds; zero is refused, the protocol forbids omitting the time.
        /// </summary>
        public string Cosign(string noteText, ulong timestamp)
        {
            if (timestamp is 0 or > long.MaxValue) throw new ArgumentOutOfRangeException(nameof(timestamp), "A cosignature's time is between 1 and 2^63-1.");
            var signer = new Org.BouncyCastle.Crypto.Signers.Ed25519Signer();
            signer.Init(true, _key);
            var message = SignedMessage(noteText, timestamp);
            signer.BlockUpdate(message, 0, message.Length);
            var bytes = new byte[4 + SignatureLength];
            BinaryPrimitives.WriteUInt32BigEndian(bytes, Key.KeyId);
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(4), timestamp);
            signer.GenerateSignature().CopyTo(bytes, 12);
            return $"\u2014 {Key.Name} {Convert.ToBase64String(bytes)}\n";
        }
    }
}

/// <summary>
/// A witness's public key as a verifier key (c2sp.org/signed-note "vkey"): name+hex(key ID)+base64(0x04 ‖ public key).
/// </summary>
public sealed record CosignerKey(string Name, uint KeyId, byte[] PublicKey)
{
    /// <summary>The verifier key text that validators configure.</summary>
    public string VerifierKey => $"{Name}+{KeyId:x8}+{Convert.ToBase64String([Cosignature.Ed25519Type, .. PublicKey])}";

    public override string ToString() => VerifierKey;

    public static Parsed<CosignerKey> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Trim().Split('+', 3);
        if (parts.Length != 3 || !SignedNote.IsKeyName(parts[0]) || parts[1].Length != 8 || parts[1].Any(c => c is not (>= '0' and <= '9' or >= 'a' and <= 'f'))
            || !uint.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var id))
            return Parsed<CosignerKey>.Fail("$", "vkey.malformed", "A witness key is name+8 lowercase hex digits+base64 (c2sp.org/signed-note).");
        byte[] key;
        try
        {
            key = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return Parsed<CosignerKey>.Fail("$", "vkey.malformed", "The key part of the witness key is not base64.");
        }
        if (key.Length != 33 || key[0] != Cosignature.Ed25519Type)
            return Parsed<CosignerKey>.Fail("$", "vkey.type", "A witness key is an Ed25519 cosigner key (type 0x04, 32 bytes; c2sp.org/tlog-cosignature).");
        var publicKey = key[1..];
        if (SignedNote.KeyId(parts[0], Cosignature.Ed25519Type, publicKey) != id)
            return Parsed<CosignerKey>.Fail("$", "vkey.id", "The key ID does not match the witness name and public key.");
        return Parsed<CosignerKey>.Ok(new CosignerKey(parts[0], id, publicKey));
    }

    /// <summary>Whether <paramref name="signature"/> is this key's and valid over <paramref name="noteText"/>; its time when so.</summary>
    public ulong? Verify(string noteText, SignedNote.Signature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (signature.KeyName != Name || signature.KeyId != KeyId || signature.Bytes.Length != Cosignature.SignatureLength) return null;
        var timestamp = BinaryPrimitives.ReadUInt64BigEndian(signature.Bytes);
        if (timestamp is 0 or > long.MaxValue) return null;
        var verifier = new Org.BouncyCastle.Crypto.Signers.Ed25519Signer();
        verifier.Init(false, new Ed25519PublicKeyParameters(PublicKey, 0));
        var message = Cosignature.SignedMessage(noteText, timestamp);
        verifier.BlockUpdate(message, 0, message.Length);
        return verifier.VerifySignature(signature.Bytes[8..]) ? timestamp : null;
    }

    /// <summary>This key's valid cosignature on <paramref name="note"/>, or null when it carries none.</summary>
    public Cosignature.Found? FindOn(SignedNote.Note note)
    {
        ArgumentNullException.ThrowIfNull(note);
        foreach (var s in note.Signatures)
        {
            if (Verify(note.Text, s) is { } time) return new Cosignature.Found(this, time);
        }
        return null;
    }

    public bool Equals(CosignerKey? other) => other is not null && Name == other.Name && KeyId == other.KeyId && PublicKey.AsSpan().SequenceEqual(other.PublicKey);

    public override int GetHashCode() => HashCode.Combine(Name, KeyId);
}
