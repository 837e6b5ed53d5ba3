namespace KinderQueue.Web.Tests.Support;

/// <summary>
/// One-character changes to a receipt's text that keep it valid JSON of the same shape, so the
/// check page must find the change by verifying, not by failing to parse.
/// </summary>
internal static class ReceiptTampering
{
    /// <summary>A hex digit of the application's commitment, inside the entry's payload (the entry is a JSON string, so its quotes are escaped).</summary>
    public static string ChangeEntryPayload(string receipt) => ChangeAt(receipt, IndexAfter(receipt, "\\\"commitment\\\":\\\""), Hex);

    /// <summary>The first hex digit of the checkpoint's root (still 64 hex digits).</summary>
    public static string ChangeRoot(string receipt) => ChangeAt(receipt, IndexAfter(receipt, "\"root\":\""), Hex);

    /// <summary>The sixth character of the checkpoint's base64 signature (still the same length, still base64).</summary>
    public static string ChangeSignature(string receipt) => ChangeAt(receipt, IndexAfter(receipt, "\"signature\":\"") + 5, c => c == 'A' ? 'B' : 'A');

    /// <summary>
    /// The receipt as <c>jq .</c> prints it: indented by two spaces, a space after every colon, the
    /// checkpoint's members one per line. Not tampering: the same values, spelled otherwise.
    /// </summary>
    public static string PrettyPrint(string receipt) =>
        System.Text.Json.Nodes.JsonNode.Parse(receipt)!.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            WriteIndented = true,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });

    private static char Hex(char c) => c == '0' ? '1' : '0';

    private static int IndexAfter(string receipt, string marker)
    {
        var at = receipt.IndexOf(marker, StringComparison.Ordinal);
        if (at < 0) throw new ArgumentException($"The receipt has no {marker}", nameof(receipt));
        if (receipt.IndexOf(marker, at + 1, StringComparison.Ordinal) >= 0) throw new ArgumentException($"The receipt has {marker} twice", nameof(receipt));
        return at + marker.Length;
    }

    private static string ChangeAt(string text, int index, Func<char, char> change) =>
        string.Concat(text.AsSpan(0, index), [change(text[index])], text.AsSpan(index + 1));
}
