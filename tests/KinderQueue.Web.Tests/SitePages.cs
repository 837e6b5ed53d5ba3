namespace KinderQueue.Web.Tests;

/// <summary>Every page of the public site, with a short name for screenshot files.</summary>
public static class SitePages
{
    public static TheoryData<string, string> All => new()
    {
        { "/", "dashboard" },
        { "/position.html", "position" },
        { "/check.html", "check" },
        { "/how.html", "how" },
        { "/signals.html", "signals" },
        { "/docs.html?doc=spec", "docs-spec" },
        // A kindergarten of the demo region (its register is generated from a fixed seed).
        { "/kindergarten.html?id=ds-127", "kindergarten" },
    };
}
