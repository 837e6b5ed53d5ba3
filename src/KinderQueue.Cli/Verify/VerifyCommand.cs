using System.Collections.Immutable;
using System.Globalization;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Log;
using KinderQueue.Core.Signals;
using KinderQueue.Core.Verification;
using Spectre.Console;

namespace KinderQueue.Cli.Verify;

/// <summary>
/// <c>kq verify &lt;url-or-file&gt;</c>: downloads (or reads) the public log and checks that every
/// decision follows from it and from the published rules alone (SPEC.md §15). Exit 0 intact,
/// 1 a problem found (the report says which check, where and why), 2 usage, input or network error.
/// </summary>
internal static class VerifyCommand
{
    public const string Usage = """
          kq verify <url-or-file> [options]           verify a public log: chain, checkpoints, growth, replay, statistics
              --key FILE             the checkpoint key you trust (PEM, /public/log-key JSON, or DER)
              --note-key VKEY        the note verifier key you trust for C2SP checkpoint notes (the
                                     name+id+key text, or a file holding it; a --key log-key document's,
                                     or a URL's, is used otherwise)
              --checkpoint FILE      a signed checkpoint, JSON or C2SP note, to check the log against
                                     (repeatable; for a file source)
              --dashboard FILE       a published dashboard to recompute (for a file source; a URL's is fetched)
              --signals FILE|URL     a published signals document (/api/v1/public/signals) to compare with
                                     the signals recomputed from the log
              --checkpoints DIR      checkpoints saved by earlier runs: the log must have only grown; the
                                     latest verified checkpoint is saved there after a clean run
              --json                 print the report as JSON
              --no-progress          no progress bar
            <url-or-file> may be a tiled log (c2sp.org/tlog-tiles): tiles:<prefix URL or folder>, or a folder
            written by kq publish-tiles; its tiles are checked against its entries and checkpoint note
            (--key with the /public/log-key document also checks the note's signature)
        """ + WitnessQuorum.Usage;

    private sealed record Options(string Source, string? Key, ImmutableArray<string> Checkpoints, string? Dashboard, string? Folder, bool Json, bool Progress, string? Signals)
    {
        public string? NoteKey { get; init; }
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, HttpMessageHandler? http)
    {
        var witnesses = WitnessQuorum.Extract(ref args, out var witnessError);
        string? usage = witnessError;
        var options = witnessError is null ? ParseOptions(args, out usage) : null;
        if (options is null)
        {
            stderr.WriteLine($"kq verify: {usage}");
            stderr.WriteLine(Usage);
            return CliApp.InputError;
        }
        try
        {
            return await RunAsync(options, stdout, stderr, http, witnesses).ConfigureAwait(false);
        }
        catch (SourceException ex)
        {
            stderr.WriteLine(ex.Message);
            return CliApp.InputError;
        }
    }

    private static Options? ParseOptions(string[] args, out string? error)
    {
        error = null;
        string? source = null, key = null, dashboard = null, folder = null, noteKey = null, signals = null;
        var checkpoints = ImmutableArray.CreateBuilder<string>();
        bool json = false, progress = true;
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            string? Value()
            {
                if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) return args[++i];
                return null;
            }
            switch (a)
            {
                case "--json": json = true; break;
                case "--no-progress": progress = false; break;
                case "--note-key":
                    if (noteKey is not null)
                    {
                        error = "--note-key may be given once";
                        return null;
                    }
                    noteKey = Value();
                    if (noteKey is null)
                    {
                        error = "--note-key needs a value";
                        return null;
                    }
                    break;
                case "--signals":
                    if (signals is not null)
                    {
                        error = "--signals may be given once";
                        return null;
                    }
                    signals = Value();
                    if (signals is null)
                    {
                        error = "--signals needs a value";
                        return null;
                    }
                    break;
                case "--key" or "--checkpoint" or "--dashboard" or "--checkpoints":
                    var v = Value();
                    if (v is null)
                    {
                        error = $"{a} needs a value";
                        return null;
                    }
                    if (a == "--checkpoint") checkpoints.Add(v);
                    else if ((a == "--key" ? key : a == "--dashboard" ? dashboard : folder) is not null)
                    {
                        error = $"{a} may be given once";
                        return null;
                    }
                    else if (a == "--key") key = v;
                    else if (a == "--dashboard") dashboard = v;
                    else folder = v;
                    break;
                default:
                    if (a.StartsWith("--", StringComparison.Ordinal) || source is not null)
                    {
                        error = $"unexpected argument '{a}'";
                        return null;
                    }
                    source = a;
                    break;
            }
        }
        if (source is null)
        {
            error = "name the log: a service URL (https://…) or an NDJSON export file";
            return null;
        }
        return new Options(source, key, checkpoints.ToImmutable(), dashboard, folder, json, progress, signals) { NoteKey = noteKey };
    }

    private static async Task<int> RunAsync(Options o, TextWriter stdout, TextWriter stderr, HttpMessageHandler? http, WitnessQuorum? witnesses)
    {
        var isUrl = LogSources.IsUrl(o.Source);
        if (isUrl && (o.Checkpoints.Length > 0 || o.Dashboard is not null))
        {
            stderr.WriteLine("kq verify: --checkpoint and --dashboard are for a file source; a service's own are fetched from it.");
            return CliApp.InputError;
        }
        if (!isUrl && !File.Exists(o.Source) && !Tiles.TilesLogSource.Names(o.Source))
        {
            stderr.WriteLine($"{o.Source}: cannot read: no such file (give a file or an http(s) URL)");
            return CliApp.InputError;
        }

        byte[]? trusted = null;
        SignedNote.VerifierKey? noteKey = null;
        if (o.Key is not null)
        {
            var keyBytes = ReadFile(o.Key);
            trusted = KeyFiles.Parse(keyBytes, out var error);
            if (trusted is null) throw new SourceException($"{o.Key}: not a checkpoint key: {error}");
            // A pinned /public/log-key document pins its note key too, unless --note-key says otherwise.
            if (o.NoteKey is null && keyBytes.AsSpan().TrimStart(" \t\r\n"u8).StartsWith("{"u8))
            {
                noteKey = NoteKeys.FromLogKey(keyBytes, out var noteError);
                if (noteError is not null) throw new SourceException($"{o.Key}: {noteError}");
            }
        }
        if (o.NoteKey is not null && (noteKey = NoteKeys.FromOption(o.NoteKey, out var noteKeyError)) is null)
        {
            stderr.WriteLine($"kq verify: --note-key: {noteKeyError}");
            return CliApp.InputError;
        }
        var given = o.Checkpoints.Select(f => new CheckpointEvidence(f, ReadFile(f))).ToList();
        var dashboard = o.Dashboard is null ? null : new CheckpointEvidence(o.Dashboard, ReadFile(o.Dashboard));
        var saved = o.Folder is null ? [] : SavedCheckpoints(o.Folder);
        // Read before the log, as the dashboard is: the download then reaches at least its size.
        var signals = o.Signals is null ? null : new CheckpointEvidence(o.Signals, await ReadDocumentAsync(o.Signals, http).ConfigureAwait(false));

        using var source = LogSources.Open(o.Source, http, "kq-verify/1.0");
        VerificationFinding? early = null;
        if (source is HttpLogSource service)
        {
            // The key first: the checkpoint and the export are judged by it.
            var keyUrl = service.Url("log-key");
            var keyDoc = await service.DocumentAsync("log-key", default).ConfigureAwait(false)
                ?? throw new SourceException($"{keyUrl}: no key published");
            var published = KeyFiles.Parse(keyDoc, out var keyError);
            if (published is null)
                early = new VerificationFinding(VerificationCheck.Checkpoints, null, "key.malformed", "$", $"The published key is not usable: {keyError}.", keyUrl);
            else if (trusted is not null && !trusted.AsSpan().SequenceEqual(published))
                early = new VerificationFinding(VerificationCheck.Checkpoints, null, "checkpoint.key", "$.spki",
                    $"The service publishes the key of log {CheckpointKey.LogId(published)}, not the key you trust (log {CheckpointKey.LogId(trusted)}).", keyUrl);
            trusted ??= published;
            if (early is null && NoteCheck(keyUrl, keyDoc, ref noteKey) is { } noteProblem) early = noteProblem;
            // The dashboard before the log: the download then reaches at least its basis.
            if (await service.DocumentAsync("dashboard", default).ConfigureAwait(false) is { } d) dashboard = new CheckpointEvidence(service.Url("dashboard"), d);
            if (await service.DocumentAsync("checkpoint", default).ConfigureAwait(false) is { } c) given.Add(new CheckpointEvidence(service.Url("checkpoint"), c));
            // The note form too (SPEC.md §11.2a), when the service has one and its key is known; a log
            // from before notes has only JSON checkpoints, and stays verifiable by them.
            if (early is null && noteKey is not null && await service.DocumentAsync("tlog/checkpoint", default).ConfigureAwait(false) is { } n)
                given.Add(new CheckpointEvidence(service.Url("tlog/checkpoint"), n));
        }
        if (early is null && trusted is null && (given.Any(g => !CheckpointDocument.IsNote(g.Json.Span)) || o.Folder is not null))
        {
            stderr.WriteLine("kq verify: checking checkpoints needs the key: give --key FILE (the region's published key).");
            return CliApp.InputError;
        }
        if (early is null && noteKey is null && given.FirstOrDefault(g => CheckpointDocument.IsNote(g.Json.Span)) is { } note)
        {
            stderr.WriteLine($"kq verify: {note.Subject} is a checkpoint note: checking it needs the note key: give --note-key VKEY (the region's noteVerifierKey).");
            return CliApp.InputError;
        }

        // A service whose key is unusable or not the pinned one is judged on that alone.
        var settings = early is not null ? new VerifierSettings() : new VerifierSettings
        {
            TrustedKey = trusted ?? default(ReadOnlyMemory<byte>),
            NoteKey = noteKey,
            Checkpoints = [.. given],
            Saved = [.. saved],
            Dashboard = dashboard,
            Signals = signals,
        };
        VerificationReport report;
        using (var verifier = new LogVerifier(settings))
        {
            if (early is null)
            {
                var needed = Math.Max(given.Select(g => Size(g)).DefaultIfEmpty(0).Max(), dashboard is null ? 0 : DashboardBasis(dashboard));
                if (signals is not null && CanonicalJson.Canonicalize(signals.Json.Span) is { Success: true } canonical
                    && SignalsJson.ReadPublished(canonical.Value!, out _) is { } published) needed = Math.Max(needed, published.Size);
                var progress = o.Progress && !o.Json && !Console.IsErrorRedirected && stderr == Console.Error;
                await Passes.RunAsync(source, verifier, needed, progress).ConfigureAwait(false);
            }
            else
            {
                verifier.EndOfLog();
            }
            report = verifier.Complete();
        }
        if (early is not null) report = report with { Problem = early };
        if (source is Tiles.TilesLogSource tiles && report.Intact) report = await tiles.CheckAsync(report, o.Key is null ? null : ReadFile(o.Key), default).ConfigureAwait(false);

        string? savedTo = null;
        var written = false;
        if (report.Intact && o.Folder is not null && report.Latest is { } latest) (savedTo, written) = Save(o.Folder, latest, report.LatestJson);
        if (o.Json) VerifyOutput.Json(stdout, source.Name, report, savedTo);
        else VerifyOutput.Human(stdout, source.Name, report, savedTo, written, isUrl);
        if (!report.Intact || witnesses is null) return report.Intact ? CliApp.Ok : CliApp.Found;
        // The witnesses last: the note must describe the log just verified (VERIFYING.md, "Witnesses").
        var (witnessedNote, witnessedNoteKey, subject) = await witnesses.FetchAsync(source).ConfigureAwait(false);
        if (witnesses.Check(witnessedNote, witnessedNoteKey, subject, report) is { } problem)
        {
            stdout.WriteLine($"WITNESS QUORUM NOT MET: {problem}");
            return CliApp.Found;
        }
        stdout.WriteLine(witnesses.Describe(witnessedNote!));
        return CliApp.Ok;
    }

    private static long Size(CheckpointEvidence c) => CheckpointDocument.ClaimedSize(c.Json);

    /// <summary>A document named by a file path or an http(s) URL (the --signals option: a saved copy, or the service's own).</summary>
    private static async Task<byte[]> ReadDocumentAsync(string fileOrUrl, HttpMessageHandler? http)
    {
        if (!LogSources.IsUrl(fileOrUrl)) return ReadFile(fileOrUrl);
        using var client = http is null ? new HttpClient() : new HttpClient(http, disposeHandler: false);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("kq-verify/1.0");
        try
        {
            using var response = await client.GetAsync(new Uri(fileOrUrl)).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) throw new SourceException($"{fileOrUrl}: HTTP {(int)response.StatusCode}");
            return await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new SourceException($"{fileOrUrl}: {ex.Message}");
        }
    }

    /// <summary>
    /// The service's note verifier key against the one pinned with --note-key (SPEC.md §11.2a), as
    /// the checkpoint key is checked against --key: a finding when they differ or the published one
    /// is unusable; otherwise <paramref name="noteKey"/> is the key to check notes with.
    /// </summary>
    private static VerificationFinding? NoteCheck(string keyUrl, byte[] keyDoc, ref SignedNote.VerifierKey? noteKey)
    {
        var published = NoteKeys.FromLogKey(keyDoc, out var error);
        if (error is not null)
            return new VerificationFinding(VerificationCheck.Checkpoints, null, "key.malformed", "$.noteVerifierKey", $"The published note key is not usable: {error}.", keyUrl);
        if (noteKey is not null && published is not null && NoteKeys.Text(published) != NoteKeys.Text(noteKey))
            return new VerificationFinding(VerificationCheck.Checkpoints, null, "checkpoint.note-key", "$.noteVerifierKey",
                $"The service publishes the note key {NoteKeys.Text(published)}, not the one you trust ({NoteKeys.Text(noteKey)}).", keyUrl);
        noteKey ??= published;
        return null;
    }

    private static long DashboardBasis(CheckpointEvidence d)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(d.Json);
            return doc.RootElement.TryGetProperty("basis", out var b) && b.TryGetInt64(out var v) ? v : 0;
        }
        catch (System.Text.Json.JsonException)
        {
            return 0;
        }
    }

    private static byte[] ReadFile(string file)
    {
        try
        {
            return File.ReadAllBytes(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new SourceException($"{file}: cannot read: {ex.Message}", ex);
        }
    }

    // ------------------------------------------------------------------ the checkpoints folder

    /// <summary>File name of a saved checkpoint: its size, zero-padded so that names sort by size.</summary>
    public static string FileName(long size) => string.Create(CultureInfo.InvariantCulture, $"checkpoint-{size:D20}.json");

    private static List<CheckpointEvidence> SavedCheckpoints(string folder)
    {
        if (!Directory.Exists(folder))
        {
            if (File.Exists(folder)) throw new SourceException($"{folder}: --checkpoints needs a folder, not a file");
            return [];
        }
        try
        {
            return [.. Directory.GetFiles(folder, "checkpoint-*.json").Order(StringComparer.Ordinal).Select(f => new CheckpointEvidence(f, File.ReadAllBytes(f)))];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SourceException($"{folder}: cannot read: {ex.Message}", ex);
        }
    }

    /// <summary>Writes the checkpoint exactly as published; one of the same size is already there and verified equal in root and head.</summary>
    private static (string Path, bool Written) Save(string folder, SignedCheckpoint checkpoint, ReadOnlyMemory<byte> json)
    {
        var path = Path.Combine(folder, FileName(checkpoint.Checkpoint.Size));
        try
        {
            Directory.CreateDirectory(folder);
            if (File.Exists(path)) return (path, false);
            var temp = path + ".tmp";
            File.WriteAllBytes(temp, json.ToArray());
            File.Move(temp, path, overwrite: true);
            return (path, true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SourceException($"{path}: cannot save the checkpoint: {ex.Message}", ex);
        }
    }

    // ------------------------------------------------------------------ reading

    private static class Passes
    {
        private const int Attempts = 5;

        public static async Task RunAsync(ILogSource source, LogVerifier verifier, long needed, bool progress)
        {
            if (!progress)
            {
                await Run(source, verifier, needed, null).ConfigureAwait(false);
                return;
            }
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            await console.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(ctx => Run(source, verifier, needed, ctx)).ConfigureAwait(false);
        }

        private static async Task Run(ILogSource source, LogVerifier verifier, long needed, ProgressContext? progress)
        {
            var task = progress?.AddTask("verifying entries", autoStart: true);
            var tail = new NdjsonBatches.Tail();
            if (verifier.Problem is null)
            {
                // A live log grows while it is read: read on until the documents fetched before are covered.
                for (var attempt = 0; attempt < Attempts; attempt++)
                {
                    if (attempt > 0) await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt)).ConfigureAwait(false);
                    var before = verifier.Size;
                    if (!await Feed(source, verifier.Size, null, verifier, tail, task, deferred: false).ConfigureAwait(false)) break;
                    if (source is not HttpLogSource || tail.Unterminated || verifier.Size >= needed || verifier.Size == before && attempt > 0) break;
                }
            }
            verifier.EndOfLog(tail.Unterminated);
            var prefix = verifier.DeferredPrefix;
            if (prefix > 0)
            {
                if (task is not null) task.Description = "recomputing decisions on earlier prefixes";
                await Feed(source, 0, prefix, verifier, new NdjsonBatches.Tail(), task, deferred: true).ConfigureAwait(false);
            }
            task?.StopTask();
        }

        /// <summary>One read of the source; false when the verifier wants no more.</summary>
        private static async Task<bool> Feed(ILogSource source, long from, long? count, LogVerifier verifier, NdjsonBatches.Tail tail, ProgressTask? task, bool deferred)
        {
            using var cancel = new CancellationTokenSource();
            using var stream = await source.OpenAsync(from, count, cancel.Token).ConfigureAwait(false);
            if (task is not null)
            {
                task.MaxValue = stream.Entries is { } n ? Math.Max(1, n) : Math.Max(1, stream.Bytes ?? 1);
                task.Value = 0;
            }
            var byEntries = stream.Entries is not null;
            var reader = NdjsonBatches.Read(stream.Stream, tail, source.Name, cancel.Token);
            long fed = 0;
            try
            {
                await foreach (var batch in reader.ReadAllAsync(cancel.Token).ConfigureAwait(false))
                {
                    using (batch)
                    {
                        var lines = batch.Lines;
                        if (count is { } c && fed + lines.Count > c) lines = lines.GetRange(0, (int)(c - fed));
                        fed += lines.Count;
                        var more = deferred ? verifier.AddDeferred(lines) : verifier.Add(lines);
                        task?.Increment(byEntries ? lines.Count : batch.Bytes);
                        if (!more) return false;
                    }
                }
            }
            finally
            {
                await cancel.CancelAsync().ConfigureAwait(false);
                // Give back the buffers of batches read ahead and not taken.
                while (reader.TryRead(out var left)) left.Dispose();
            }
            return true;
        }
    }
}
