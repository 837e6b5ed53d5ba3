using System.Security.Cryptography;

namespace KinderQueue.Api.Auth;

/// <summary>
/// Keys the embedded default keeps under its data folder, created on first use: the ECDSA P-256
/// key that signs local bearer tokens, and the secret that turns account subjects into stable
/// pseudonyms. Production configures both instead (and an OIDC authority for tokens).
/// </summary>
public static class LocalKeys
{
    public static ECDsa LoadOrCreateEcdsa(string file)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(file))
        {
            key.ImportFromPem(File.ReadAllText(file));
            return key;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        WriteSecret(file, key.ExportPkcs8PrivateKeyPem());
        return key;
    }

    public static byte[] LoadOrCreateSecret(string file)
    {
        if (File.Exists(file)) return Convert.FromBase64String(File.ReadAllText(file).Trim());
        var secret = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        WriteSecret(file, Convert.ToBase64String(secret));
        return secret;
    }

    private static void WriteSecret(string file, string text)
    {
        // Written once, readable by the service's user only.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(file, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}
