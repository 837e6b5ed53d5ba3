using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LaunchDay.Report;

/// <summary>Reads a run folder of loadtest/launch-day/run.sh. Never throws for a bad file: it notes it in Problems.</summary>
internal static class Loader
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] Instances = ["a", "b"];

    public static RunData Load(string dir)
    {
        var problems = new List<string>();
        var info = LoadRunInfo(Path.Combine(dir, "run.json"), problems);
        var records = LoadRecords(Path.Combine(dir, "records"), problems);
        var exports = new List<ExportData>();
        var verify = new List<VerifyResult>();
        foreach (var inst in Instances)
        {
            if (LoadExport(Path.Combine(dir, "export"), inst, problems) is { } e) exports.Add(e);
            if (LoadVerify(Path.Combine(dir, "export"), inst, problems) is { } v) verify.Add(v);
        }
        var sizeText = ReadText(Path.Combine(dir, "export", "db-size.txt"), problems)?.Trim();
        return new RunData
        {
            Info = info,
            Records = records,
            Events = LoadEvents(Path.Combine(dir, "events.tsv"), problems),
            Plan = LoadPlan(Path.Combine(dir, "plan.tsv"), problems),
            Monitor = LoadMonitor(Path.Combine(dir, "monitor.tsv")),
            Cpu = LoadCpu(Path.Combine(dir, "cpu.tsv")),
            Wrk = LoadWrk(Path.Combine(dir, "records"), problems),
            Exports = exports,
            DbSubmitted = LoadDbSubmitted(Path.Combine(dir, "export", "db-submitted.tsv"), problems),
            DbSize = long.TryParse(sizeText, NumberStyles.Integer, Inv, out var size) ? size : null,
            DbIdempotencyKeys = LoadIdempotency(Path.Combine(dir, "export", "db-idempotency.tsv"), problems),
            Verify = verify,
            StaffPlan = File.Exists(Path.Combine(dir, "staff", "actions.tsv"))
                ? [.. File.ReadLines(Path.Combine(dir, "staff", "actions.tsv")).Select(l => l.Split('\t')).Where(f => f.Length > 1).Select(f => f[1])]
                : [],
            Problems = problems,
        };
    }

    private static string? ReadText(string path, List<string> problems)
    {
        if (File.Exists(path)) return File.ReadAllText(path);
        problems.Add($"{Path.GetFileName(path)} is missing");
        return null;
    }

    private static long? Long(string s) =>
        s is "-" or "" ? null : long.TryParse(s, NumberStyles.Integer, Inv, out var v) ? v : null;

    private static string? Text(string s) => s is "-" or "" ? null : s;

    internal static RunInfo LoadRunInfo(string path, List<string> problems)
    {
        var empty = new RunInfo("?", "?", 0, 0, 0, [], 0, 0, 0, 0, 0, new Dictionary<string, double>(), 0, 0, 0, 0, "", "", "", "", "", "", 0);
        var text = ReadText(path, problems);
        if (text is null) return empty;
        try
        {
            using var doc = JsonDocument.Parse(text);
            var r = doc.RootElement;
            string S(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
            long L(string name) => r.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;
            var peaks = new SortedDictionary<string, double>(StringComparer.Ordinal);
            if (r.TryGetProperty("peak_per_minute", out var p))
            {
                foreach (var prop in p.EnumerateObject()) peaks[prop.Name] = prop.Value.GetDouble();
            }
            var burst = r.TryGetProperty("burst", out var b) ? b : default;
            return new RunInfo(S("run"), S("mode"), L("t0_us"), (int)L("phase_s"), (int)L("duration_s"),
                r.TryGetProperty("ramp_percent", out var ramp) ? [.. ramp.EnumerateArray().Select(x => x.GetInt32())] : [],
                (int)L("region_kindergartens"), (int)L("districts"), (int)L("seed_apps"), (int)L("seeded"), L("setup_log_size"), peaks,
                (int)L("operator_share_percent"), (int)L("receipt_share_percent"),
                burst.ValueKind == JsonValueKind.Object ? burst.GetProperty("connections").GetInt32() : 0,
                burst.ValueKind == JsonValueKind.Object ? burst.GetProperty("seconds").GetInt32() : 0,
                S("today"), S("round_start"), S("command"), S("commit"), S("wrk"), S("postgres"), (int)L("cores"),
                r.TryGetProperty("faults", out var faults) && faults.ValueKind == JsonValueKind.Array ? [.. faults.EnumerateArray().Select(x => x.GetString() ?? "")] : null,
                S("admission") is { Length: > 0 } admission ? admission : "on");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            problems.Add($"run.json is malformed: {ex.Message}");
            return empty;
        }
    }

    /// <summary>records/NAME-NNN.tsv: one file per wrk thread; the process is NAME.</summary>
    internal static List<RequestRecord> LoadRecords(string dir, List<string> problems)
    {
        var result = new List<RequestRecord>();
        if (!Directory.Exists(dir))
        {
            problems.Add("records/ is missing");
            return result;
        }
        var files = Directory.GetFiles(dir, "*.tsv").Where(f => !f.EndsWith(".wrk.tsv", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var dash = name.LastIndexOf('-');
            var process = dash > 0 ? name[..dash] : name;
            var thread = dash > 0 && int.TryParse(name[(dash + 1)..], NumberStyles.Integer, Inv, out var th) ? th : 0;
            var lineNo = 0;
            foreach (var line in File.ReadLines(file))
            {
                lineNo++;
                if (line.Length == 0) continue;
                if (ParseRecord(line, process, thread) is { } r) result.Add(r);
                else problems.Add($"records/{Path.GetFileName(file)} line {lineNo} is malformed");
            }
        }
        // One order for everything that follows, whatever order the files were written in.
        result.Sort(static (x, y) =>
        {
            var c = x.StartUs.CompareTo(y.StartUs);
            if (c != 0) return c;
            c = string.CompareOrdinal(x.Process, y.Process);
            if (c != 0) return c;
            c = x.Thread.CompareTo(y.Thread);
            return c != 0 ? c : string.CompareOrdinal(x.Key, y.Key);
        });
        return result;
    }

    internal static RequestRecord? ParseRecord(string line, string process, int thread = 0)
    {
        var f = line.Split('\t');
        if (f.Length != 15) return null;
        if (Long(f[0]) is not { } t || Long(f[1]) is not { } lat || !int.TryParse(f[2], NumberStyles.Integer, Inv, out var status)) return null;
        return new RequestRecord(t, lat, status, f[3], f[4], f[5], int.TryParse(f[6], NumberStyles.Integer, Inv, out var a) ? a : 1,
            Text(f[7]), Text(f[8]), Long(f[9]), Text(f[10]), Long(f[11]) ?? 0, Long(f[12]) ?? 0, Text(f[13]), f[14] == "1", process, thread);
    }

    internal static List<TimelineEvent> LoadEvents(string path, List<string> problems)
    {
        var result = new List<TimelineEvent>();
        if (ReadText(path, problems) is not { } text) return result;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            var f = line.Split('\t');
            if (f.Length != 5 || Long(f[2]) is not { } start || Long(f[3]) is not { } end)
            {
                problems.Add($"events.tsv: malformed line '{line}'");
                continue;
            }
            var details = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var pair in f[4].Split(';'))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0) details[pair[..eq]] = pair[(eq + 1)..];
            }
            result.Add(new TimelineEvent(f[0], f[1], start, end, details));
        }
        return result;
    }

    private static List<PlanEntry> LoadPlan(string path, List<string> problems)
    {
        var result = new List<PlanEntry>();
        if (ReadText(path, problems) is not { } text) return result;
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0) continue;
            var f = line.Split('\t');
            if (f.Length != 5)
            {
                problems.Add($"plan.tsv: malformed line '{line}'");
                continue;
            }
            var rates = f[3].Split(',').Select(x => double.TryParse(x, NumberStyles.Float, Inv, out var v) ? v : 0).ToList();
            result.Add(new PlanEntry(f[0], f[1], f[2], rates, int.TryParse(f[4], NumberStyles.Integer, Inv, out var c) ? c : 0));
        }
        return result;
    }

    private static List<MonitorSample> LoadMonitor(string path)
    {
        var result = new List<MonitorSample>();
        if (!File.Exists(path)) return result;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split('\t');
            if (f.Length < 7 || Long(f[0]) is not { } t) continue;
            result.Add(new MonitorSample(t, f[1], int.TryParse(f[2], NumberStyles.Integer, Inv, out var h) ? h : 0, f[3], Long(f[4]), Long(f[5]),
                Long(f[6]) is { } db && db >= 0 ? db : null, f.Length > 7 ? Long(f[7]) : null, f.Length > 8 ? Long(f[8]) : null));
        }
        return result;
    }

    private static List<CpuSample> LoadCpu(string path)
    {
        var result = new List<CpuSample>();
        if (!File.Exists(path)) return result;
        foreach (var line in File.ReadLines(path).Skip(1))
        {
            var f = line.Split('\t');
            if (f.Length != 6 || Long(f[0]) is not { } t) continue;
            double D(string s) => double.TryParse(s, NumberStyles.Float, Inv, out var v) ? v : 0;
            result.Add(new CpuSample(t, D(f[1]), D(f[2]), D(f[3]), D(f[4]), D(f[5])));
        }
        return result;
    }

    private static List<WrkSummary> LoadWrk(string dir, List<string> problems)
    {
        var result = new List<WrkSummary>();
        if (!Directory.Exists(dir)) return result;
        foreach (var file in Directory.GetFiles(dir, "*.wrk.tsv").Order(StringComparer.Ordinal))
        {
            var process = Path.GetFileName(file)[..^".wrk.tsv".Length];
            var lines = File.ReadAllLines(file);
            var f = lines.Length >= 2 ? lines[1].Split('\t') : [];
            if (f.Length != 11 || f.Any(x => Long(x) is null))
            {
                problems.Add($"records/{Path.GetFileName(file)} (wrk's summary) is malformed");
                continue;
            }
            var v = f.Select(x => Long(x)!.Value).ToArray();
            result.Add(new WrkSummary(process, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10]));
        }
        return result;
    }

    internal static ExportData? LoadExport(string dir, string inst, List<string> problems)
    {
        var path = Path.Combine(dir, $"log-{inst}.ndjson");
        if (!File.Exists(path))
        {
            problems.Add($"export/log-{inst}.ndjson is missing");
            return null;
        }
        var submitted = new Dictionary<string, int>(StringComparer.Ordinal);
        var hashes = new List<string>();
        long lines = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            if (line.Length == 0) continue;
            lines++;
            hashes.Add(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(line))));
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (root.TryGetProperty("type", out var type) && type.GetString() == "application.submitted"
                    && root.TryGetProperty("payload", out var payload) && payload.TryGetProperty("number", out var number) && number.GetString() is { } n)
                {
                    submitted[n] = submitted.GetValueOrDefault(n) + 1;
                }
            }
            catch (JsonException)
            {
                problems.Add($"export/log-{inst}.ndjson line {lines} is not JSON");
                break;
            }
        }
        long? header = null;
        var headers = Path.Combine(dir, $"log-{inst}.headers");
        if (File.Exists(headers))
        {
            foreach (var h in File.ReadLines(headers))
            {
                if (h.StartsWith("X-Log-Size:", StringComparison.OrdinalIgnoreCase) && long.TryParse(h[11..].Trim(), NumberStyles.Integer, Inv, out var s)) header = s;
            }
        }
        return new ExportData(inst, lines, header, submitted, hashes);
    }

    private static VerifyResult? LoadVerify(string dir, string inst, List<string> problems)
    {
        var rcText = ReadText(Path.Combine(dir, $"verify-{inst}.rc"), problems);
        if (rcText is null || !int.TryParse(rcText.Trim(), NumberStyles.Integer, Inv, out var rc)) return null;
        var json = Path.Combine(dir, $"verify-{inst}.json");
        bool intact = false;
        long size = 0;
        string? problem = null, code = null;
        if (File.Exists(json) && new FileInfo(json).Length > 0)
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(json));
                var r = doc.RootElement;
                intact = r.TryGetProperty("intact", out var i) && i.ValueKind == JsonValueKind.True;
                size = r.TryGetProperty("size", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : 0;
                if (r.TryGetProperty("problem", out var p) && p.ValueKind == JsonValueKind.Object)
                    (code, problem) = (p.GetProperty("code").GetString(), $"{p.GetProperty("check").GetString()} check: {p.GetProperty("message").GetString()} (code {p.GetProperty("code").GetString()})");
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
            {
                problem = $"kq verify printed no readable JSON: {ex.Message}";
            }
        }
        else
        {
            var err = Path.Combine(dir, $"verify-{inst}.err");
            problem = "kq verify printed nothing" + (File.Exists(err) ? ": " + File.ReadAllText(err).Trim() : "");
        }
        return new VerifyResult(inst, rc, intact && rc == 0, size, problem, code);
    }

    private static Dictionary<string, int> LoadDbSubmitted(string path, List<string> problems)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        if (ReadText(path, problems) is not { } text) return result;
        foreach (var line in text.Split('\n'))
        {
            var f = line.Split('\t');
            if (f.Length == 2 && f[1].Length > 0) result[f[1]] = result.GetValueOrDefault(f[1]) + 1;
        }
        return result;
    }

    private static HashSet<string> LoadIdempotency(string path, List<string> problems)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        if (ReadText(path, problems) is not { } text) return result;
        foreach (var line in text.Split('\n'))
        {
            var key = line.Split('\t')[0];
            var bar = key.LastIndexOf('|');
            if (bar >= 0) result.Add(key[(bar + 1)..]);
        }
        return result;
    }
}
