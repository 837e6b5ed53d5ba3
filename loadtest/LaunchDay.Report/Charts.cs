using System.Globalization;
using System.Net;
using System.Text;

namespace LaunchDay.Report;

internal sealed record Series(string Name, string Color, IReadOnlyList<(double X, double Y)> Points, bool Dashed = false);

/// <summary>A shaded band (a fault window) or a vertical marker (Width 0) on the x axis.</summary>
internal sealed record Band(double From, double To, string Label, string Color);

/// <summary>Line charts as plain SVG: numbers formatted invariantly, so equal data give equal bytes.</summary>
internal static class Charts
{
    private const int Width = 980;
    private const int Height = 300;
    private const int Left = 64;
    private const int Right = 170;
    private const int Top = 26;
    private const int Bottom = 40;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static string F(double v) => v.ToString("0.#", Inv);

    public static string Line(string title, string yLabel, double xMin, double xMax, IReadOnlyList<Series> series,
        IReadOnlyList<Band> bands, IReadOnlyList<Band> markers, bool logY = false)
    {
        var plotW = Width - Left - Right;
        var plotH = Height - Top - Bottom;
        var ys = series.SelectMany(s => s.Points.Select(p => p.Y)).Where(y => !double.IsNaN(y)).ToList();
        double yMin, yMax;
        if (logY)
        {
            var positive = ys.Where(y => y > 0).ToList();
            yMin = positive.Count == 0 ? 1 : Math.Pow(10, Math.Floor(Math.Log10(positive.Min())));
            yMax = positive.Count == 0 ? 10 : Math.Pow(10, Math.Ceiling(Math.Log10(positive.Max())));
            if (yMax <= yMin) yMax = yMin * 10;
        }
        else
        {
            yMin = 0;
            yMax = NiceCeiling(ys.Count == 0 ? 1 : Math.Max(ys.Max(), 1e-9));
        }
        if (xMax <= xMin) xMax = xMin + 1;
        double X(double x) => Left + (x - xMin) / (xMax - xMin) * plotW;
        double Y(double y)
        {
            if (logY)
            {
                var v = Math.Max(y, yMin);
                return Top + plotH - (Math.Log10(v) - Math.Log10(yMin)) / (Math.Log10(yMax) - Math.Log10(yMin)) * plotH;
            }
            return Top + plotH - (y - yMin) / (yMax - yMin) * plotH;
        }

        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Esc(title)}\" font-family=\"sans-serif\" font-size=\"11\">");
        sb.Append(Inv, $"<rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"#fff\"/>");
        sb.Append(Inv, $"<text x=\"{Left}\" y=\"16\" font-size=\"13\" font-weight=\"bold\">{Esc(title)}</text>");
        foreach (var b in bands)
        {
            var x1 = X(Math.Max(b.From, xMin));
            var x2 = X(Math.Min(b.To, xMax));
            if (x2 <= x1) continue;
            sb.Append(Inv, $"<rect x=\"{F(x1)}\" y=\"{Top}\" width=\"{F(x2 - x1)}\" height=\"{plotH}\" fill=\"{b.Color}\" fill-opacity=\"0.35\"><title>{Esc(b.Label)}</title></rect>");
            sb.Append(Inv, $"<text x=\"{F(x1 + 2)}\" y=\"{Top + 11}\" fill=\"#8a1c1c\">{Esc(b.Label)}</text>");
        }
        // Axes and grid.
        foreach (var (value, label) in YTicks(yMin, yMax, logY))
        {
            var y = Y(value);
            sb.Append(Inv, $"<line x1=\"{Left}\" y1=\"{F(y)}\" x2=\"{Left + plotW}\" y2=\"{F(y)}\" stroke=\"#e4e4e4\"/>");
            sb.Append(Inv, $"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" text-anchor=\"end\">{label}</text>");
        }
        var step = NiceStep((xMax - xMin) / 10);
        for (var x = Math.Ceiling(xMin / step) * step; x <= xMax + 1e-9; x += step)
        {
            sb.Append(Inv, $"<line x1=\"{F(X(x))}\" y1=\"{Top + plotH}\" x2=\"{F(X(x))}\" y2=\"{Top + plotH + 4}\" stroke=\"#555\"/>");
            sb.Append(Inv, $"<text x=\"{F(X(x))}\" y=\"{Top + plotH + 16}\" text-anchor=\"middle\">{F(x)}</text>");
        }
        sb.Append(Inv, $"<text x=\"{Left + plotW / 2}\" y=\"{Height - 6}\" text-anchor=\"middle\">seconds since the campaign started</text>");
        sb.Append(Inv, $"<text x=\"14\" y=\"{Top + plotH / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {Top + plotH / 2})\">{Esc(yLabel)}</text>");
        sb.Append(Inv, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#555\"/>");
        foreach (var m in markers)
        {
            if (m.From < xMin || m.From > xMax) continue;
            var x = X(m.From);
            sb.Append(Inv, $"<line x1=\"{F(x)}\" y1=\"{Top}\" x2=\"{F(x)}\" y2=\"{Top + plotH}\" stroke=\"{m.Color}\" stroke-dasharray=\"3 3\"/>");
            sb.Append(Inv, $"<text x=\"{F(x + 2)}\" y=\"{Top + plotH - 4}\" fill=\"{m.Color}\">{Esc(m.Label)}</text>");
        }
        // Lines; a gap in the data (NaN) breaks the line.
        var legendY = Top + 8;
        foreach (var s in series)
        {
            var path = new StringBuilder();
            var pen = false;
            foreach (var (x, y) in s.Points)
            {
                if (double.IsNaN(y) || (logY && y <= 0))
                {
                    pen = false;
                    continue;
                }
                path.Append(pen ? " L" : " M").Append(F(X(x))).Append(',').Append(F(Y(y)));
                pen = true;
            }
            if (path.Length > 0)
                sb.Append(Inv, $"<path d=\"{path.ToString().Trim()}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"1.6\"{(s.Dashed ? " stroke-dasharray=\"5 3\"" : "")}/>");
            sb.Append(Inv, $"<line x1=\"{Left + plotW + 12}\" y1=\"{legendY}\" x2=\"{Left + plotW + 32}\" y2=\"{legendY}\" stroke=\"{s.Color}\" stroke-width=\"2\"{(s.Dashed ? " stroke-dasharray=\"5 3\"" : "")}/>");
            sb.Append(Inv, $"<text x=\"{Left + plotW + 36}\" y=\"{legendY + 4}\">{Esc(s.Name)}</text>");
            legendY += 16;
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static string Esc(string s) => WebUtility.HtmlEncode(s);

    public static double NiceCeiling(double v)
    {
        var p = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (var m in new[] { 1.0, 2.0, 2.5, 5.0, 10.0 })
        {
            if (m * p >= v) return m * p;
        }
        return 10 * p;
    }

    private static double NiceStep(double raw)
    {
        if (raw <= 0) return 1;
        var p = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (var m in new[] { 1.0, 2.0, 5.0, 10.0 })
        {
            if (m * p >= raw) return m * p;
        }
        return 10 * p;
    }

    private static IEnumerable<(double Value, string Label)> YTicks(double min, double max, bool log)
    {
        if (log)
        {
            for (var v = min; v <= max * 1.0001; v *= 10) yield return (v, F(v));
            yield break;
        }
        var step = NiceStep((max - min) / 5);
        for (var v = min; v <= max + 1e-9; v += step) yield return (v, F(v));
    }
}
