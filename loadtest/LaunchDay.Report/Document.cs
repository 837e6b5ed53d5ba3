using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace LaunchDay.Report;

/// <summary>The report as blocks, rendered the same way to Markdown and to HTML.</summary>
internal abstract record Block;

internal sealed record Heading(int Level, string Text) : Block;

/// <summary>Text with two inline marks: **bold** and `code`.</summary>
internal sealed record Paragraph(string Text) : Block;

internal sealed record Bullets(IReadOnlyList<string> Items) : Block;

internal sealed record Table(IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows) : Block;

/// <summary>An SVG chart: inline in both documents, and also written as FileName beside them.</summary>
internal sealed record Figure(string Svg, string Caption, string FileName) : Block;

internal static partial class Render
{
    public static string Markdown(string title, IEnumerable<Block> blocks)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(title).Append('\n');
        foreach (var b in blocks)
        {
            sb.Append('\n');
            switch (b)
            {
                case Heading h:
                    sb.Append(new string('#', h.Level)).Append(' ').Append(h.Text).Append('\n');
                    break;
                case Paragraph p:
                    sb.Append(p.Text).Append('\n');
                    break;
                case Bullets l:
                    foreach (var i in l.Items) sb.Append("* ").Append(i).Append('\n');
                    break;
                case Table t:
                    sb.Append("| ").AppendJoin(" | ", t.Headers.Select(Cell)).Append(" |\n");
                    sb.Append('|').AppendJoin("|", t.Headers.Select(_ => " --- ")).Append("|\n");
                    foreach (var row in t.Rows) sb.Append("| ").AppendJoin(" | ", row.Select(Cell)).Append(" |\n");
                    break;
                case Figure f:
                    // Inline SVG (an HTML block: CommonMark renderers show it), and the same chart as a file for
                    // renderers that strip inline SVG (GitHub's, for one).
                    sb.Append(f.Svg).Append('\n');
                    sb.Append('\n').Append('*').Append(f.Caption).Append("* ([").Append(f.FileName).Append("](").Append(f.FileName).Append("))\n");
                    break;
                default:
                    throw new InvalidOperationException($"unknown block {b.GetType().Name}");
            }
        }
        return sb.ToString();
    }

    private static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    [GeneratedRegex(@"\*\*(.+?)\*\*")]
    private static partial Regex Bold();

    [GeneratedRegex("`(.+?)`")]
    private static partial Regex Code();

    private static string Inline(string text)
    {
        var s = WebUtility.HtmlEncode(text);
        s = Bold().Replace(s, "<strong>$1</strong>");
        return Code().Replace(s, "<code>$1</code>");
    }

    public static string Html(string title, IEnumerable<Block> blocks)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(WebUtility.HtmlEncode(title)).Append("</title>\n");
        sb.Append("""
            <style>
            body { font: 15px/1.45 system-ui, sans-serif; max-width: 1040px; margin: 2em auto; padding: 0 1em; color: #222; }
            table { border-collapse: collapse; margin: .6em 0 1.2em; font-size: 13px; }
            th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: left; vertical-align: top; }
            th { background: #f2f2f2; }
            td.n { text-align: right; font-variant-numeric: tabular-nums; }
            code { background: #f4f4f4; padding: 0 3px; }
            figure { margin: 1em 0 1.6em; }
            figcaption { font-size: 13px; color: #555; }
            .verdict-go { color: #14692b; } .verdict-nogo { color: #a11; }
            </style>
            </head>
            <body>

            """);
        sb.Append("<h1>").Append(Inline(title)).Append("</h1>\n");
        foreach (var b in blocks)
        {
            switch (b)
            {
                case Heading h:
                    var cls = h.Text.Contains("NO-GO", StringComparison.Ordinal) ? " class=\"verdict-nogo\"" : h.Text.Contains("GO", StringComparison.Ordinal) && h.Text.StartsWith("Verdict", StringComparison.Ordinal) ? " class=\"verdict-go\"" : "";
                    sb.Append("<h").Append(h.Level).Append(cls).Append('>').Append(Inline(h.Text)).Append("</h").Append(h.Level).Append(">\n");
                    break;
                case Paragraph p:
                    sb.Append("<p>").Append(Inline(p.Text)).Append("</p>\n");
                    break;
                case Bullets l:
                    sb.Append("<ul>\n");
                    foreach (var i in l.Items) sb.Append("<li>").Append(Inline(i)).Append("</li>\n");
                    sb.Append("</ul>\n");
                    break;
                case Table t:
                    sb.Append("<table>\n<tr>");
                    foreach (var h2 in t.Headers) sb.Append("<th>").Append(Inline(h2)).Append("</th>");
                    sb.Append("</tr>\n");
                    foreach (var row in t.Rows)
                    {
                        sb.Append("<tr>");
                        foreach (var c in row) sb.Append(IsNumber(c) ? "<td class=\"n\">" : "<td>").Append(Inline(c)).Append("</td>");
                        sb.Append("</tr>\n");
                    }
                    sb.Append("</table>\n");
                    break;
                case Figure f:
                    sb.Append("<figure>\n").Append(f.Svg).Append("\n<figcaption>").Append(Inline(f.Caption)).Append("</figcaption>\n</figure>\n");
                    break;
                default:
                    throw new InvalidOperationException($"unknown block {b.GetType().Name}");
            }
        }
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static bool IsNumber(string s) => s.Length > 0 && (char.IsDigit(s[0]) || (s[0] == '-' && s.Length > 1 && char.IsDigit(s[1]))) && !s.Contains(' ', StringComparison.Ordinal);
}
