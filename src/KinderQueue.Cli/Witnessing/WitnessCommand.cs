using KinderQueue.Core.Log;

namespace KinderQueue.Cli.Witnessing;

/// <summary>
/// <c>kq witness</c>: a witness an independent organisation runs for a region's log. It cosigns each
/// checkpoint only after checking it extends, by a consistency proof, the last one it cosigned, so the
/// log cannot show two different histories to two audiences and have both cosigned (VERIFYING.md).
/// </summary>
internal static class WitnessCommand
{
    public const string Usage = """
          kq witness keygen --name NAME --key FILE    create a witness key (file mode 0600) and print its verifier key
          kq witness --key FILE --state FILE --log-key VKEY [--log-key VKEY…] [--listen 127.0.0.1:7380] [--name NAME]
                                                      run a witness (c2sp.org/tlog-witness): POST /add-checkpoint;
                                                      --log-key: the log's noteVerifierKey (from /public/log-key);
                                                      the key is created on first start when --name is given
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        try
        {
            if (args is ["keygen", .. var rest])
            {
                var (name, key) = (Option(rest, "--name"), Option(rest, "--key"));
                if (name is null || key is null) return UsageError(stderr, "keygen needs --name NAME and --key FILE");
                var created = WitnessKeyFile.Create(key, name);
                stdout.WriteLine(created.Key.VerifierKey);
                return CliApp.Ok;
            }
            var keyFile = Option(args, "--key");
            var stateFile = Option(args, "--state");
            var listen = Option(args, "--listen") ?? "127.0.0.1:7380";
            var logKeys = new List<SignedNote.VerifierKey>();
            for (var i = 0; i < args.Length; i++)
            {
                if (args[i] != "--log-key") continue;
                if (i + 1 >= args.Length) return UsageError(stderr, "--log-key needs a value");
                var parsed = SignedNote.VerifierKey.Parse(args[++i]);
                if (!parsed.Success) return UsageError(stderr, $"--log-key {args[i]}: {parsed.Problems[0].Message}");
                logKeys.Add(parsed.Value!);
            }
            var unknown = args.Where((a, i) => a.StartsWith("--", StringComparison.Ordinal) && a is not ("--key" or "--state" or "--listen" or "--log-key" or "--name")).FirstOrDefault();
            if (unknown is not null) return UsageError(stderr, $"unexpected argument '{unknown}'");
            if (keyFile is null || stateFile is null) return UsageError(stderr, "give --key FILE and --state FILE");
            if (logKeys.Count == 0) return UsageError(stderr, "give the log's note verifier key: --log-key VKEY (noteVerifierKey of /public/log-key)");

            Cosignature.Signer signer;
            if (File.Exists(keyFile)) signer = WitnessKeyFile.Load(keyFile);
            else if (Option(args, "--name") is { } name) signer = WitnessKeyFile.Create(keyFile, name);
            else return UsageError(stderr, $"{keyFile} does not exist: give --name NAME to create the witness key");

            var state = WitnessStateFile.Open(stateFile);
            await using var server = await WitnessServer.StartAsync(listen, signer, logKeys, state, ct: ct).ConfigureAwait(false);
            stdout.WriteLine($"witness key: {signer.Key.VerifierKey}");
            stdout.WriteLine($"listening on {server.Url} (POST /add-checkpoint) for {string.Join(", ", logKeys.Select(k => k.KeyName).Distinct())}");
            stdout.Flush();
            await server.WaitForShutdownAsync(ct).ConfigureAwait(false);
            return CliApp.Ok;
        }
        catch (WitnessSetupException ex)
        {
            stderr.WriteLine($"kq witness: {ex.Message}");
            return CliApp.InputError;
        }
        catch (IOException ex)
        {
            // Kestrel's "address already in use" and the like.
            stderr.WriteLine($"kq witness: cannot listen: {ex.Message}");
            return CliApp.InputError;
        }
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[i + 1] : null;
    }

    private static int UsageError(TextWriter stderr, string message)
    {
        stderr.WriteLine($"kq witness: {message}");
        stderr.WriteLine(Usage);
        return CliApp.InputError;
    }
}
