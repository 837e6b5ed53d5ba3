using KinderQueue.Cli.Verify;
using KinderQueue.Core.Log;

namespace KinderQueue.Cli;

/// <summary>
/// <c>kq receipt &lt;receipt.json&gt; --key FILE | --service URL</c>: checks a parent's receipt (SPEC.md
/// §14.3) — the entry's hash, the inclusion proof up to the checkpoint's root, the checkpoint's
/// signature — and says which check failed. A pinned key file is the strong form; with --service the
/// key is fetched from the service's /public/log-key, which proves consistency with that service only.
/// </summary>
internal static class ReceiptCommand
{
    public const string Usage = "kq receipt <receipt.json> --key FILE | --service URL   check a receipt's proof and signature";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, HttpMessageHandler? http)
    {
        if (args is not [var file, "--key" or "--service", var where])
        {
            await stderr.WriteLineAsync("usage: " + Usage).ConfigureAwait(false);
            return CliApp.InputError;
        }
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(file).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"{file}: {ex.Message}").ConfigureAwait(false);
            return CliApp.InputError;
        }
        var receipt = Receipt.Parse(bytes);
        if (!receipt.Success)
        {
            await stderr.WriteLineAsync($"{file}: {receipt.Problems[0]}").ConfigureAwait(false);
            return CliApp.InputError;
        }

        byte[]? keyBytes;
        string keyFrom;
        try
        {
            if (args[1] == "--key")
            {
                keyBytes = await File.ReadAllBytesAsync(where).ConfigureAwait(false);
                keyFrom = where;
            }
            else
            {
                if (!Uri.TryCreate(where, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    await stderr.WriteLineAsync($"{where}: not an http(s) URL").ConfigureAwait(false);
                    return CliApp.InputError;
                }
                using var service = new HttpLogSource(uri, http);
                keyBytes = await service.DocumentAsync("log-key", CancellationToken.None).ConfigureAwait(false);
                keyFrom = service.Url("log-key");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SourceException)
        {
            await stderr.WriteLineAsync($"{where}: {ex.Message}").ConfigureAwait(false);
            return CliApp.InputError;
        }
        string? error = null;
        var spki = keyBytes is null ? null : KeyFiles.Parse(keyBytes, out error);
        if (spki is null)
        {
            await stderr.WriteLineAsync($"{keyFrom}: no usable checkpoint key{(error is null ? "" : ": " + error)}").ConfigureAwait(false);
            return CliApp.InputError;
        }

        var check = receipt.Value!.Verify(spki);
        await stdout.WriteLineAsync(check.Valid ? $"VALID: {check.Message}" : $"NOT VALID ({check.Failed}): {check.Message}").ConfigureAwait(false);
        return check.Valid ? CliApp.Ok : CliApp.Found;
    }
}
