using System.Text.Json;
using System.Text.Json.Nodes;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Log;

namespace KinderQueue.Cli.Witnessing;

/// <summary>
/// What the witness remembers per log origin — the size, root and kq-time of the latest checkpoint
/// it cosigned, and that cosigned note for monitors — in one JSON file. Every change is written to a
/// temporary file, flushed to disk and renamed over the old one, so a crash leaves the old state or
/// the new one, never half of either; the witness answers only after that (c2sp.org/tlog-witness:
/// "MUST persist the new checkpoint before responding").
/// </summary>
public sealed class WitnessStateFile
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly string _path;
    private readonly Dictionary<string, (WitnessRecord Record, byte[] Note)> _logs;

    private WitnessStateFile(string path, Dictionary<string, (WitnessRecord, byte[])> logs)
    {
        _path = path;
        _logs = logs;
    }

    public WitnessRecord? Get(string origin) => _logs.TryGetValue(origin, out var e) ? e.Record : null;

    /// <summary>The latest cosigned checkpoint note of an origin, with the log's and the witness's signatures.</summary>
    public byte[]? Note(string origin) => _logs.TryGetValue(origin, out var e) ? e.Note : null;

    public IEnumerable<string> Origins => _logs.Keys;

    public static WitnessStateFile Open(string path)
    {
        if (!File.Exists(path)) return new WitnessStateFile(path, new Dictionary<string, (WitnessRecord, byte[])>(StringComparer.Ordinal));
        try
        {
            var root = JsonNode.Parse(File.ReadAllBytes(path))?["logs"]?.AsObject() ?? throw new WitnessSetupException($"{path}: not a witness state file (no \"logs\").");
            var logs = new Dictionary<string, (WitnessRecord, byte[])>(StringComparer.Ordinal);
            foreach (var (origin, node) in root)
            {
                var size = node!["size"]!.GetValue<long>();
                var rootHash = Convert.FromBase64String(node["root"]!.GetValue<string>());
                var time = node["time"]?.GetValue<string>() is { } t ? Formats.Instant.Parse(t).GetValueOrThrow() : (NodaTime.Instant?)null;
                var note = Convert.FromBase64String(node["note"]!.GetValue<string>());
                logs[origin] = (new WitnessRecord(size, rootHash, time), note);
            }
            return new WitnessStateFile(path, logs);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or NullReferenceException or NodaTime.Text.UnparsableValueException)
        {
            // Never start from nothing over a damaged file: that would forget what was cosigned.
            throw new WitnessSetupException($"{path}: the witness state cannot be read ({ex.Message}); fix or restore it, it is not replaced.", ex);
        }
        catch (IOException ex)
        {
            throw new WitnessSetupException($"{path}: cannot read the witness state: {ex.Message}", ex);
        }
    }

    /// <summary>Records a newly cosigned checkpoint and has it on disk before returning.</summary>
    public void Put(string origin, WitnessRecord record, byte[] cosignedNote)
    {
        var logs = new Dictionary<string, (WitnessRecord Record, byte[] Note)>(_logs, StringComparer.Ordinal) { [origin] = (record, cosignedNote) };
        var json = new JsonObject();
        foreach (var (o, (r, n)) in logs.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var entry = new JsonObject { ["size"] = r.Size, ["root"] = Convert.ToBase64String(r.Root) };
            if (r.Time is { } t) entry["time"] = Formats.Format(t);
            entry["note"] = Convert.ToBase64String(n);
            json[o] = entry;
        }
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["logs"] = json }, Indented);
        var temp = _path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
        // Only now does memory follow: a failed write leaves the witness at the state on disk.
        _logs[origin] = (record, cosignedNote);
    }
}
