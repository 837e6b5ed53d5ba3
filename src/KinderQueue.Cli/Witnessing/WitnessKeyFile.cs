using System.Security.Cryptography;
using KinderQueue.Core.Log;

namespace KinderQueue.Cli.Witnessing;

/// <summary>
/// The witness's private key on disk, in the note tooling's form (golang.org/x/mod/sumdb/note):
/// <c>PRIVATE+KEY+name+hex(key ID)+base64(0x04 ‖ 32-byte seed)</c>, one line, readable by its owner only (0600).
/// </summary>
public static class WitnessKeyFile
{
    private const string Prefix = "PRIVATE+KEY+";

    /// <summary>Writes a new random key; refuses to overwrite one (a new key is a new witness identity).</summary>
    public static Cosignature.Signer Create(string path, string name)
    {
        if (!SignedNote.IsKeyName(name)) throw new WitnessSetupException($"--name: '{name}' is not a key name (non-empty, no space, no '+').");
        var seed = RandomNumberGenerator.GetBytes(32);
        try
        {
            var signer = new Cosignature.Signer(name, seed);
            var text = $"{Prefix}{name}+{signer.Key.KeyId:x8}+{Convert.ToBase64String([Cosignature.Ed25519Type, .. seed])}\n";
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null) Directory.CreateDirectory(directory);
            using (var stream = new FileStream(path, options))
            {
                stream.Write(System.Text.Encoding.ASCII.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }
            return signer;
        }
        catch (IOException ex) when (File.Exists(path))
        {
            throw new WitnessSetupException($"{path}: a key already exists; it is kept (a new key would be a new witness).", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new WitnessSetupException($"{path}: cannot write the key: {ex.Message}", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    }

    public static Cosignature.Signer Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new WitnessSetupException($"{path}: cannot read the key: {ex.Message}", ex);
        }
        var parts = text.StartsWith(Prefix, StringComparison.Ordinal) ? text[Prefix.Length..].Split('+', 3) : [];
        byte[]? key = null;
        if (parts.Length == 3)
        {
            try
            {
                key = Convert.FromBase64String(parts[2]);
            }
            catch (FormatException)
            {
            }
        }
        if (key is not { Length: 33 } || key[0] != Cosignature.Ed25519Type || !SignedNote.IsKeyName(parts[0]))
            throw new WitnessSetupException($"{path}: not a witness key (PRIVATE+KEY+name+id+base64(0x04 ‖ seed)).");
        var signer = new Cosignature.Signer(parts[0], key.AsSpan(1));
        CryptographicOperations.ZeroMemory(key);
        if (parts[1] != signer.Key.KeyId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture))
            throw new WitnessSetupException($"{path}: the key ID does not match the name and key.");
        return signer;
    }
}

/// <summary>A witness that cannot start: the message names the file or option and the problem.</summary>
public sealed class WitnessSetupException(string message, Exception? inner = null) : Exception(message, inner);
