using System.Buffers.Text;
using System.Security.Cryptography;
using KinderQueue.Api.Auth;
using KinderQueue.Api.Hosting;
using KinderQueue.Core.Log;
using NodaTime;

namespace KinderQueue.Api.PublicLog;

/// <summary>
/// Signs checkpoints with the region's checkpoint key (ECDSA P-256, SPEC.md §11) and describes its
/// public half. The key signs nothing else: it has no other use that a signature could be confused with.
/// </summary>
public sealed class CheckpointSigner : IDisposable
{
    private readonly ECDsa _key;
    private readonly Lock _signing = new();
    private readonly SignedNote.VerifierKey _noteVerifier;

    public CheckpointSigner(ECDsa key, string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        Spki = key.ExportSubjectPublicKeyInfo();
        if (!CheckpointKey.IsP256Spki(Spki))
            throw new InvalidOperationException("The checkpoint key must be an ECDSA key on the P-256 curve.");
        try
        {
            key.ExportParameters(includePrivateParameters: true);
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException("The checkpoint key has no private part: configure the private key, not the public one.", ex);
        }
        _key = key;
        LogId = CheckpointKey.LogId(Spki);
        PublicKeyPem = key.ExportSubjectPublicKeyInfoPem();
        var point = key.ExportParameters(includePrivateParameters: false).Q;
        JwkX = Base64Url.EncodeToString(point.X);
        JwkY = Base64Url.EncodeToString(point.Y);
        // The Ed25519 key of the C2SP checkpoint notes is derived from the region's one checkpoint key,
        // so every replica has it without a second secret to distribute, and rotating one rotates both.
        var d = key.ExportParameters(includePrivateParameters: true).D!;
        var seed = HKDF.DeriveKey(HashAlgorithmName.SHA256, d, 32, salt: [], info: "KinderQueue checkpoint note key v1"u8.ToArray());
        Origin = string.IsNullOrWhiteSpace(origin) ? $"kinderqueue/{LogId[..16]}" : origin.Trim();
        Note = new SignedNote.Ed25519Signer(Origin, seed);
        _noteVerifier = SignedNote.VerifierKey.Parse(Note.VerifierKey).GetValueOrThrow();
        CryptographicOperations.ZeroMemory(d);
        CryptographicOperations.ZeroMemory(seed);
    }

    /// <summary>The log's origin line and the name of its note key (c2sp.org/tlog-checkpoint).</summary>
    public string Origin { get; }

    /// <summary>Signs the C2SP checkpoint notes; its <see cref="SignedNote.Ed25519Signer.VerifierKey"/> is published.</summary>
    public SignedNote.Ed25519Signer Note { get; }

    /// <summary>The C2SP signed note of a checkpoint (SPEC.md §11.5), checked before anyone sees it.</summary>
    public byte[] SignNote(long size, ReadOnlySpan<byte> root, ReadOnlySpan<byte> head, Instant time)
    {
        var note = Note.Sign(new NoteCheckpoint(Origin, size, root.ToArray(), head.ToArray(), time).Text());
        var bytes = System.Text.Encoding.UTF8.GetBytes(note);
        if (!_noteVerifier.Verifies(SignedNote.Parse(bytes).GetValueOrThrow())) throw new CryptographicException("A freshly signed checkpoint note does not verify.");
        return bytes;
    }

    /// <summary>The public key as SubjectPublicKeyInfo DER (91 bytes).</summary>
    public byte[] Spki { get; }

    /// <summary>Hex SHA-256 of <see cref="Spki"/>: the log's id and the key's fingerprint.</summary>
    public string LogId { get; }

    public string PublicKeyPem { get; }

    /// <summary>The JWK coordinates (base64url, no padding) of the public point.</summary>
    public string JwkX { get; }

    public string JwkY { get; }

    /// <summary>
    /// Loads the configured key (PEM text, or the path of a PEM file) or, with none configured, the one
    /// under DataDir, generated on first start. A configured path that does not exist is an error, never
    /// a reason to generate a key: a new key would start a new log identity.
    /// </summary>
    public static CheckpointSigner Load(KinderQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = options.CheckpointKey?.Trim();
        if (string.IsNullOrEmpty(configured))
            return new CheckpointSigner(LocalKeys.LoadOrCreateEcdsa(Path.Combine(options.DataDir, "checkpoint-signing.pem")), options.LogOrigin);

        string pem;
        if (configured.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            pem = configured;
        }
        else if (File.Exists(configured))
        {
            pem = File.ReadAllText(configured);
        }
        else
        {
            throw new InvalidOperationException($"KinderQueue:CheckpointKey names a file that does not exist: {configured}");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidOperationException("KinderQueue:CheckpointKey is not a PEM ECDSA private key.", ex);
        }
        return new CheckpointSigner(key, options.LogOrigin);
    }

    /// <summary>Signs the checkpoint of a log of <paramref name="size"/> entries and checks the result before anyone sees it.</summary>
    public SignedCheckpoint Sign(long size, ReadOnlySpan<byte> root, ReadOnlySpan<byte> head, Instant time)
    {
        var checkpoint = new Checkpoint(LogId, size, root, head, time);
        byte[] signature;
        lock (_signing)
        {
            signature = _key.SignData(checkpoint.SignedBytes(), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        var signed = new SignedCheckpoint(checkpoint, Convert.ToBase64String(signature));
        // What validators will do, once here: a checkpoint that does not verify must never be published.
        if (!signed.Verify(Spki)) throw new CryptographicException("A freshly signed checkpoint does not verify.");
        return signed;
    }

    public void Dispose() => _key.Dispose();
}
