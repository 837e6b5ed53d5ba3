namespace KinderQueue.Core.Verification;

/// <summary>
/// Damage a file picks up on its way rather than tampering: Windows line endings, a byte order mark
/// put in by an editor, a re-encoding to UTF-16, a blank line. Such a line is not canonical
/// (SPEC.md §6.1) like any other bad line, but "not canonical" alone sends a validator looking for a
/// forgery; naming the damage says what to do (fetch the log again, or convert it back).
/// </summary>
internal static class TransportDamage
{
    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];
    private static ReadOnlySpan<byte> Utf16LittleEndianBom => [0xFF, 0xFE];
    private static ReadOnlySpan<byte> Utf16BigEndianBom => [0xFE, 0xFF];

    /// <summary>What is wrong with a line that is not a well-formed entry, when it is one of these; null otherwise.</summary>
    /// <remarks>The messages complete "Line N …" (the caller knows the position).</remarks>
    public static ValidationProblem? Find(ReadOnlySpan<byte> line)
    {
        if (line.StartsWith(Utf8Bom))
            return new ValidationProblem("$", "export.bom",
                "starts with a UTF-8 byte order mark (EF BB BF): an editor or a conversion added it; the log's lines start with '{'. Fetch the log again, or remove the three bytes.");
        if (line.StartsWith(Utf16LittleEndianBom) || line.StartsWith(Utf16BigEndianBom) || line.IndexOf((byte)0) >= 0)
            return new ValidationProblem("$", "export.utf16",
                "holds zero bytes or a UTF-16 byte order mark: the file was converted to UTF-16; the log is UTF-8. Fetch the log again, or convert it back to UTF-8.");
        if (line.Length > 0 && line[^1] == (byte)'\r')
            return new ValidationProblem("$", "export.crlf",
                "ends with CR LF: the file was converted to Windows line endings; the log's lines end with LF only. Fetch the log again, or convert the line endings back (dos2unix).");
        if (line.IsEmpty)
            return new ValidationProblem("$", "export.blank-line", "is empty: a blank line was added; the log has one entry on every line and no blank lines.");
        return null;
    }
}
