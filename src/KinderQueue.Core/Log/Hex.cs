namespace KinderQueue.Core.Log;

/// <summary>Lower-case hexadecimal, the only hash text form in the published formats (SPEC.md §3).</summary>
public static class Hex
{
    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Decodes lower-case hex; returns null for anything else so callers report a precise error.</summary>
    public static byte[]? TryDecode(string? text)
    {
        if (text is null || text.Length % 2 != 0) return null;
        foreach (var c in text)
        {
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return null;
        }
        return Convert.FromHexString(text);
    }
}
