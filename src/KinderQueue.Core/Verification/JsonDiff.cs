using System.Globalization;
using System.Text.Json;
using KinderQueue.Core.Encoding;

namespace KinderQueue.Core.Verification;

/// <summary>The first place where two JSON documents differ, as a JSON path, with both values there (shortened).</summary>
internal static class JsonDiff
{
    private const int Shown = 120;

    public static string FirstDifference(ReadOnlyMemory<byte> published, ReadOnlyMemory<byte> recomputed, out string publishedValue, out string recomputedValue)
    {
        try
        {
            using var a = CanonicalJson.Parse(published);
            using var b = CanonicalJson.Parse(recomputed);
            var path = Walk(a.RootElement, b.RootElement, "$", out var x, out var y);
            publishedValue = Short(x);
            recomputedValue = Short(y);
            return path ?? "$";
        }
        catch (JsonException)
        {
            publishedValue = "(not JSON)";
            recomputedValue = "(a JSON document)";
            return "$";
        }
    }

    private static string? Walk(JsonElement a, JsonElement b, string path, out string x, out string y)
    {
        x = a.GetRawText();
        y = b.GetRawText();
        if (a.ValueKind != b.ValueKind) return path;
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var names = a.EnumerateObject().Select(p => p.Name).Union(b.EnumerateObject().Select(p => p.Name), StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal);
                foreach (var name in names)
                {
                    var inA = a.TryGetProperty(name, out var va);
                    var inB = b.TryGetProperty(name, out var vb);
                    var child = $"{path}.{name}";
                    if (!inA || !inB)
                    {
                        x = inA ? va.GetRawText() : "(absent)";
                        y = inB ? vb.GetRawText() : "(absent)";
                        return child;
                    }
                    if (Walk(va, vb, child, out x, out y) is { } found) return found;
                }
                return null;
            case JsonValueKind.Array:
                var la = a.GetArrayLength();
                var lb = b.GetArrayLength();
                for (var i = 0; i < Math.Min(la, lb); i++)
                {
                    if (Walk(a[i], b[i], string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), out x, out y) is { } found) return found;
                }
                if (la == lb) return null;
                x = string.Create(CultureInfo.InvariantCulture, $"{la} items");
                y = string.Create(CultureInfo.InvariantCulture, $"{lb} items");
                return path;
            default:
                return x == y ? null : path;
        }
    }

    private static string Short(string text) => text.Length <= Shown ? text : text[..Shown] + "…";
}
