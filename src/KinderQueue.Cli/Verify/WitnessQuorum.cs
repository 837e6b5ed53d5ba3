using System.Globalization;
using System.Text.Json;
using KinderQueue.Core.Log;
using KinderQueue.Core.Verification;

namespace KinderQueue.Cli.Verify;

/// <summary>
/// <c>kq verify --witness VKEY … --quorum N</c>: the newest checkpoint note must carry valid
/// cosignatures (c2sp.org/tlog-cosignature) of at least N distinct given witnesses and describe the
/// log just verified — the defence against a split view (VERIFYING.md, "Witnesses"). A service's note
/// and note key are fetched from it; for a file source give <c>--note FILE</c> and <c>--note-key VKEY</c>.
/// </summary>
internal sealed class WitnessQuorum
{
    public const string Usage = """
              --witness VKEY         a witness key you trust (repeatable); with --quorum N the newest checkpoint
                                     note must carry cosignatures of N distinct such witnesses matching the log
              --note FILE            the cosigned checkpoint note, for a file source (a service's is fetched)
              --note-key VKEY        the log's note verifier key, for a file source (a service's is fetched)
        """;

    private WitnessQuorum(IReadOnlyList<CosignerKey> witnesses, int quorum, string? note, string? noteKey)
    {
        Witnesses = witnesses;
        Quorum = quorum;
        NoteFile = note;
        NoteKey = noteKey;
    }

    public IReadOnlyList<CosignerKey> Witnesses { get; }

    public int Quorum { get; }

    public string? NoteFile { get; }

    public string? NoteKey { get; }

    /// <summary>Takes this type's options out of <paramref name="args"/>; null when none was given (or on error, with <paramref name="error"/>).</summary>
    public static WitnessQuorum? Extract(ref string[] args, out string? error)
    {
        error = null;
        var rest = new List<string>();
        var witnesses = new List<CosignerKey>();
        int? quorum = null;
        string? note = null, noteKey = null;
        var any = false;
        for (var i = 0; i < args.Length; i++)
        {
            // --note-key is verify's own option too (it checks the notes of the log): read, and left in place.
            if (args[i] == "--note-key" && i + 1 < args.Length)
            {
                noteKey = args[i + 1];
                rest.Add(args[i]);
                rest.Add(args[++i]);
                continue;
            }
            if (args[i] is not ("--witness" or "--quorum" or "--note"))
            {
                rest.Add(args[i]);
                continue;
            }
            any = true;
            if (i + 1 >= args.Length)
            {
                error = $"{args[i]} needs a value";
                return null;
            }
            var (name, value) = (args[i], args[++i]);
            switch (name)
            {
                case "--witness":
                    var key = CosignerKey.Parse(value);
                    if (!key.Success)
                    {
                        error = $"--witness {value}: {key.Problems[0].Message}";
                        return null;
                    }
                    if (!witnesses.Contains(key.Value!)) witnesses.Add(key.Value!);
                    break;
                case "--quorum":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1)
                    {
                        error = "--quorum needs a whole number of at least 1";
                        return null;
                    }
                    quorum = n;
                    break;
                default: note = value; break;
            }
        }
        args = [.. rest];
        if (!any) return null;
        if (witnesses.Count == 0)
        {
            error = "--quorum and --note need at least one --witness VKEY";
            return null;
        }
        var q = quorum ?? 1;
        if (q > witnesses.Count)
        {
            error = $"--quorum {q} needs at least {q} distinct --witness keys (given: {witnesses.Count})";
            return null;
        }
        return new WitnessQuorum(witnesses, q, note, noteKey);
    }

    /// <summary>The note and the log's note key: from the service, or from the options for a file source.</summary>
    public async Task<(byte[]? Note, string? Key, string Subject)> FetchAsync(ILogSource source)
    {
        if (source is HttpLogSource service)
        {
            var note = await service.DocumentAsync("tlog/checkpoint", default).ConfigureAwait(false);
            string? key = NoteKey;
            if (key is null && await service.DocumentAsync("log-key", default).ConfigureAwait(false) is { } doc)
            {
                using var json = JsonDocument.Parse(doc);
                key = json.RootElement.TryGetProperty("noteVerifierKey", out var k) ? k.GetString() : null;
            }
            return (note, key, service.Url("tlog/checkpoint"));
        }
        if (NoteFile is null) throw new SourceException("kq verify: --witness with a file source needs --note FILE (the cosigned checkpoint note) and --note-key VKEY");
        if (NoteKey is null) throw new SourceException("kq verify: --note needs --note-key VKEY (the log's noteVerifierKey)");
        try
        {
            return (await File.ReadAllBytesAsync(NoteFile).ConfigureAwait(false), NoteKey, NoteFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SourceException($"{NoteFile}: cannot read: {ex.Message}", ex);
        }
    }

    /// <summary>Null when the quorum is met on a note describing the verified log; otherwise why not, in one sentence.</summary>
    public string? Check(byte[]? noteBytes, string? noteKey, string subject, VerificationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (noteBytes is null) return $"{subject}: no checkpoint note is published, so no cosignature can be checked.";
        var key = noteKey is null ? null : SignedNote.VerifierKey.Parse(noteKey);
        if (key is not { Success: true }) return $"{subject}: the log's note verifier key is missing or malformed.";
        var parsed = SignedNote.Parse(noteBytes);
        if (!parsed.Success) return $"{subject}: not a signed note: {parsed.Problems[0].Message}";
        var note = parsed.Value!;
        if (!key.Value!.Verifies(note)) return $"{subject}: the note carries no valid signature of the log key {key.Value.KeyName}.";
        var checkpoint = NoteCheckpoint.Parse(note.Text);
        if (!checkpoint.Success) return $"{subject}: not a KinderQueue checkpoint note: {checkpoint.Problems[0].Message}";
        var (size, root) = (checkpoint.Value!.Size, Hex.Encode(checkpoint.Value.Root));
        var matches = (size == report.Size && root == report.Root) || report.Checkpoints.Any(c => c.Size == size && c.Root == root);
        if (!matches)
            return $"{subject}: the note's tree of {size} entries (root {root}) is not the log verified here ({report.Size} entries, root {report.Root}): "
                + "the log shows you another tree than it had cosigned, or the log grew between the reads (run again).";
        var found = Witnesses.Select(w => w.FindOn(note)).OfType<Cosignature.Found>().ToList();
        if (found.Count < Quorum)
            return $"{subject}: {found.Count} of the {Witnesses.Count} given witnesses cosigned the checkpoint of {size} entries"
                + $"{(found.Count > 0 ? " (" + string.Join(", ", found.Select(f => f.Key.Name)) + ")" : "")}; --quorum asks for {Quorum}.";
        return null;
    }

    public string Describe(byte[] noteBytes) =>
        $"Witnesses: {Witnesses.Count(w => SignedNote.Parse(noteBytes) is { Success: true } p && w.FindOn(p.Value!) is not null)} of {Witnesses.Count} cosigned the newest checkpoint (quorum {Quorum}).";
}
