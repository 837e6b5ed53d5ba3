using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace KinderQueue.Web.Tests.Support;

/// <summary>A published count: a value, or none with its marker ("&lt;5", "hidden").</summary>
public sealed record Cell(long? Value, string? Marker)
{
    /// <summary>How the Russian pages write it: 2 500, «&lt; 5», «скрыто» (spaces compared as spaces).</summary>
    public string Shown => Value is { } v
        ? v.ToString("#,0", CultureInfo.InvariantCulture).Replace(',', ' ')
        : Marker == "<5" ? "< 5" : "скрыто";
}

public static partial class PageText
{
    /// <summary>An element's text with every kind of space (Intl writes no-break ones) as a plain space.</summary>
    public static async Task<string> Of(ILocator element) => Spaces().Replace(await element.InnerTextAsync(), " ").Trim();

    [GeneratedRegex(@"\s")]
    private static partial Regex Spaces();
}
