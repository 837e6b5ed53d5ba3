using System.Globalization;
using System.Text;
using LaunchDay.Report;

// LaunchDay.Report <run-dir> [--slo slo.json] [--mode short|full]
// Reads what loadtest/launch-day/run.sh recorded in <run-dir> and writes report.md, report.html,
// the charts as .svg and verdict.json there. Deterministic: the same folder gives the same bytes.
// Exit: 0 GO, 1 NO-GO, 2 the harness broke (or bad arguments), 3 data lost or duplicated, or the log not INTACT.
string? dir = null, sloPath = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--slo" when i + 1 < args.Length: sloPath = args[++i]; break;
        case "--mode" when i + 1 < args.Length: i++; break; // recorded in run.json; accepted for the command line's sake
        default:
            if (dir is null && !args[i].StartsWith("--", StringComparison.Ordinal)) dir = args[i];
            else
            {
                Console.Error.WriteLine($"unexpected argument '{args[i]}'");
                return 2;
            }
            break;
    }
}
if (dir is null || !Directory.Exists(dir))
{
    Console.Error.WriteLine("usage: LaunchDay.Report <run-dir> [--slo loadtest/launch-day/slo.json]");
    return 2;
}
sloPath ??= Path.Combine(dir, "slo.json");
if (!File.Exists(sloPath))
{
    Console.Error.WriteLine($"{sloPath}: no such file");
    return 2;
}

var slo = SloConfig.Parse(File.ReadAllText(sloPath));
var result = LaunchDayReport.Write(dir, slo);
var v = result.Verdict;
Console.WriteLine($"launch-day report: {Path.Combine(dir, "report.md")}, {Path.Combine(dir, "report.html")}");
foreach (var r in v.DataFailures) Console.WriteLine($"  DATA: {r}");
foreach (var r in v.HarnessFailures) Console.WriteLine($"  HARNESS: {r}");
foreach (var r in v.NoGoReasons) Console.WriteLine($"  NO-GO: {r}");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"launch-day verdict: {(v.Go ? "GO" : "NO-GO")}{(v.DataFailures.Count > 0 ? " (DATA LOST OR DUPLICATED)" : "")}{(v.HarnessFailures.Count > 0 ? " (HARNESS BROKE)" : "")}"));
return v.ExitCode;

namespace LaunchDay.Report
{
    internal sealed record ReportResult(Findings Findings, Verdict Verdict, string Markdown, string Html);

    internal static class LaunchDayReport
    {
        /// <summary>Everything from the folder's data alone: findings, verdict, both documents (not written).</summary>
        public static ReportResult Make(RunData data, SloConfig slo)
        {
            var findings = Analysis.Analyse(data, slo);
            var verdict = Verdict.Decide(findings, slo);
            var (title, blocks) = ReportBuilder.Build(data, findings, verdict, slo);
            return new ReportResult(findings, verdict, Render.Markdown(title, blocks), Render.Html(title, blocks));
        }

        public static ReportResult Write(string dir, SloConfig slo)
        {
            var data = Loader.Load(dir);
            var findings = Analysis.Analyse(data, slo);
            var verdict = Verdict.Decide(findings, slo);
            var (title, blocks) = ReportBuilder.Build(data, findings, verdict, slo);
            var md = Render.Markdown(title, blocks);
            var html = Render.Html(title, blocks);
            var utf8 = new UTF8Encoding(false);
            File.WriteAllText(Path.Combine(dir, "report.md"), md, utf8);
            File.WriteAllText(Path.Combine(dir, "report.html"), html, utf8);
            foreach (var f in blocks.OfType<Figure>()) File.WriteAllText(Path.Combine(dir, f.FileName), f.Svg + "\n", utf8);
            File.WriteAllText(Path.Combine(dir, "verdict.json"), VerdictJson(verdict), utf8);
            return new ReportResult(findings, verdict, md, html);
        }

        public static string VerdictJson(Verdict v)
        {
            using var stream = new MemoryStream();
            using (var w = new System.Text.Json.Utf8JsonWriter(stream, new System.Text.Json.JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("verdict", v.Go ? "GO" : "NO-GO");
                w.WriteString("kind", v.Kind.ToString());
                w.WriteNumber("exitCode", v.ExitCode);
                void List(string name, IReadOnlyList<string> items)
                {
                    w.WriteStartArray(name);
                    foreach (var i in items) w.WriteStringValue(i);
                    w.WriteEndArray();
                }
                List("noGoReasons", v.NoGoReasons);
                List("dataFailures", v.DataFailures);
                List("harnessFailures", v.HarnessFailures);
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
        }
    }
}
