using System.Globalization;
using KinderQueue.Cli.Verify;
using KinderQueue.Core.Privacy;

namespace KinderQueue.Cli.Privacy;

/// <summary>
/// <c>kq privacy &lt;url-or-file&gt; [--json]</c>: reads a public log, as <c>kq verify</c> does (the same
/// sources), and reports what it discloses (VERIFYING.md, SPEC.md §16.1): uniqueness and k-anonymity
/// over fields a neighbour could know, parent actors that link applications, and every public string
/// that looks typed by a person. Exit 0 when no public event carries typed text, 1 when one does,
/// 2 usage, input or network error (including a log that does not read or fold to its end).
/// </summary>
internal static class PrivacyCommand
{
    public const string Usage = """
          kq privacy <url-or-file> [--json]           what a public log discloses: uniqueness, k-anonymity,
                                                      linked parent actors, text typed by a person
        """;

    private const string Agent = "kq-privacy/1.0";

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, HttpMessageHandler? http)
    {
        var json = args.Contains("--json");
        var rest = args.Where(a => a != "--json").ToList();
        if (rest is not [var source] || source.StartsWith("--", StringComparison.Ordinal))
        {
            stderr.WriteLine(rest.Count == 0
                ? "kq privacy: name the log: a service URL (https://…) or an NDJSON export file"
                : $"kq privacy: unexpected argument '{rest.FirstOrDefault(a => a.StartsWith("--", StringComparison.Ordinal)) ?? rest[1]}'");
            stderr.WriteLine(Usage);
            return CliApp.InputError;
        }
        if (!LogSources.IsUrl(source) && !File.Exists(source))
        {
            stderr.WriteLine($"{source}: cannot read: no such file (give a file or an http(s) URL)");
            return CliApp.InputError;
        }
        try
        {
            using var log = LogSources.Open(source, http, Agent);
            var progress = json ? null : new Progress(stderr);
            var report = await ReadAsync(log, progress).ConfigureAwait(false);
            if (json) PrivacyOutput.Json(stdout, log.Name, report);
            else PrivacyOutput.Human(stdout, log.Name, report);
            return report.Clean ? CliApp.Ok : CliApp.Found;
        }
        catch (SourceException ex)
        {
            stderr.WriteLine(ex.Message);
            return CliApp.InputError;
        }
    }

    /// <summary>One pass over the export; a log that cannot be read to its end is an input error.</summary>
    private static async Task<PrivacyReport> ReadAsync(ILogSource source, Progress? progress)
    {
        using var analyzer = new PrivacyAnalyzer();
        using var cancel = new CancellationTokenSource();
        using var stream = await source.OpenAsync(0, null, cancel.Token).ConfigureAwait(false);
        var tail = new NdjsonBatches.Tail();
        var reader = NdjsonBatches.Read(stream.Stream, tail, source.Name, cancel.Token);
        try
        {
            await foreach (var batch in reader.ReadAllAsync(cancel.Token).ConfigureAwait(false))
            {
                using (batch)
                {
                    var more = analyzer.Add(batch.Lines);
                    progress?.Read(analyzer.Size, stream.Entries);
                    if (!more) break;
                }
            }
        }
        finally
        {
            await cancel.CancelAsync().ConfigureAwait(false);
            // Give back the buffers of batches read ahead and not taken.
            while (reader.TryRead(out var left)) left.Dispose();
        }
        if (analyzer.Problem is { } p)
            throw new SourceException($"{source.Name}: the log cannot be read to its end, so nothing is measured: {p} (kq verify names what is wrong).");
        if (tail.Unterminated)
            throw new SourceException($"{source.Name}: the last line has no newline: the export was cut off (SPEC.md §6.4).");
        progress?.Done(analyzer.Size, source.Name);
        return analyzer.Complete();
    }

    /// <summary>Entries read, to stderr: redrawn in place on a terminal, one line at the end elsewhere.</summary>
    private sealed class Progress(TextWriter stderr)
    {
        private readonly bool _live = stderr == Console.Error && !Console.IsErrorRedirected;

        public void Read(long entries, long? total)
        {
            if (!_live) return;
            stderr.Write(string.Create(CultureInfo.InvariantCulture, $"\r  reading entries: {entries:N0}{(total is { } t ? $" of {t:N0}" : "")}   "));
        }

        public void Done(long entries, string source)
        {
            if (_live) stderr.Write("\r" + new string(' ', 60) + "\r");
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kq privacy: read {entries:N0} entries from {source}"));
        }
    }
}
