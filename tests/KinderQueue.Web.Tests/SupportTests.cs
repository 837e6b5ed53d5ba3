using System.Text.Json;
using KinderQueue.Web.Tests.Support;

namespace KinderQueue.Web.Tests;

/// <summary>The harness's own parsing and tampering, checked without a browser (these run even where Chromium is missing).</summary>
public sealed class SupportTests
{
    private const string DemoFile = """
        # SYNTHETIC DATA ONLY. Written by `--demo`.
        #
        # number          access code     status     what it shows
        KQ-QTXQP-2GGXR    3R7A-J33N-9DYK  offered    open offer: Детский сад №15 «Радуга», Средняя группа (4–5 лет)
        KQ-NFQKA-KTYNG    DQPK-32QS-BUEU  withdrawn  withdrawn by the parent

        """;

    private const string Receipt = """
        {"checkpoint":{"head":"8b64","logId":"4096","root":"8a99846603f563b85a7f12ae9d406bd80cf0b6246dda893708beca5a8cfc1f6d","signature":"//wzbDqejFstRfeSQ1/7veeCm42hGduJJMBW26GoFZxzWDsSDpo2U3AjthP6TIo1CCOmi4OKu61QK7N6835yFA==","size":15128,"time":"2026-11-22T23:47:38.960Z"},"entry":"{\"actor\":\"system:demo\",\"payload\":{\"commitment\":\"6233133f\",\"number\":\"KQ-7KEDC-WFS4R\"},\"seq\":115}","entryHash":"fdb6","index":115,"proof":["9000"],"size":15128}
        """;

    [Fact]
    public void DemoFile_ParsesNumberCodeStatusAndNote()
    {
        var apps = DemoApplication.ParseFile(DemoFile.ReplaceLineEndings("\n"));

        apps.Should().Equal(
            new DemoApplication("KQ-QTXQP-2GGXR", "3R7A-J33N-9DYK", "offered", "open offer: Детский сад №15 «Радуга», Средняя группа (4–5 лет)"),
            new DemoApplication("KQ-NFQKA-KTYNG", "DQPK-32QS-BUEU", "withdrawn", "withdrawn by the parent"));
    }

    [Fact]
    public void Tampering_ChangesExactlyOneCharacter_AndKeepsTheJsonValid()
    {
        var entry = ReceiptTampering.ChangeEntryPayload(Receipt);
        var root = ReceiptTampering.ChangeRoot(Receipt);
        var signature = ReceiptTampering.ChangeSignature(Receipt);

        foreach (var changed in new[] { entry, root, signature })
        {
            changed.Length.Should().Be(Receipt.Length);
            changed.Zip(Receipt).Count(p => p.First != p.Second).Should().Be(1);
            using var _ = JsonDocument.Parse(changed);
        }
        Field(entry, "entry").Should().Contain("\"commitment\":\"0233133f\"");
        Field(root, "checkpoint", "root").Should().MatchRegex("^[0-9a-f]{64}$").And.NotBe(Field(Receipt, "checkpoint", "root"));
        Convert.FromBase64String(Field(signature, "checkpoint", "signature")).Should().HaveCount(64);
    }

    private static string Field(string json, params string[] path)
    {
        using var doc = JsonDocument.Parse(json);
        var e = doc.RootElement;
        foreach (var p in path) e = e.GetProperty(p);
        return e.GetString()!;
    }
}
