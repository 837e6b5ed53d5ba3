using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using KinderQueue.Core.Log;

namespace KinderQueue.Core.Tests.Log;

/// <summary>
/// Receipts come from anyone (a parent's file, a pasted text), so reading and checking one never
/// throws: whatever the bytes, the answer is a named problem or a named failed check. The browser
/// check (wwwroot/assets/receipt.js) was cross-checked against this reader and found two inputs
/// that made it throw; they are the first cases here.
/// </summary>
public sealed class ReceiptParseTests
{
    /// <summary>The generators of the properties here (FsCheck.Xunit finds an arbitrary by the parameter's type).</summary>
    internal static class Cases
    {
        public static Arbitrary<(int At, char Replacement, bool Drop)> Edits() =>
            (from at in Gen.Choose(0, Skeleton.Length - 1)
             from replacement in Gen.Elements('"', '\\', '{', '}', '[', ']', ',', ':', '0', 'a', '-', '.', 'e', ' ', '\u00e9', '\0')
             from drop in Gen.Elements(true, false)
             select (At: at, Replacement: replacement, Drop: drop)).ToArbitrary();
    }

    // The shape of a receipt; its hashes and signature are arbitrary (parsing does not check them).
    private const string Skeleton =
        """{"checkpoint":{"head":"0000000000000000000000000000000000000000000000000000000000000000","logId":"1111111111111111111111111111111111111111111111111111111111111111","root":"2222222222222222222222222222222222222222222222222222222222222222","signature":"/kE5736p1O1Kfk7aAJAwwQKdBFD/v9SCBCk+u4UlBN/hym9r7KIOSIJYEA0YvPsCcVRSltEqnahH/ELSrJWQ8g==","size":3,"time":"2026-11-22T23:42:34.934Z"},"entry":"{\"seq\":1}","entryHash":"3333333333333333333333333333333333333333333333333333333333333333","index":1,"proof":["4444444444444444444444444444444444444444444444444444444444444444"],"size":3}""";

    private static byte[] Utf8(string text) => System.Text.Encoding.UTF8.GetBytes(text);

    [Theory]
    [InlineData("\"index\":1", "\"index\":\"1\"", "$.index")]
    [InlineData("\"size\":3}", "\"size\":\"3\"}", "$.size")]
    [InlineData("\"index\":1", "\"index\":1.5", "$.index")]
    [InlineData("\"entry\":\"{\\\"seq\\\":1}\"", "\"entry\":\"\\ud800\"", "$")]
    [InlineData("\"proof\":[", "\"proof\":[12,", "$.proof[0]")]
    public void AMalformedField_IsANamedProblem_NotAnException(string from, string to, string path)
    {
        Skeleton.Should().Contain(from);
        var parsed = Receipt.Parse(Utf8(Skeleton.Replace(from, to, StringComparison.Ordinal)));

        parsed.Success.Should().BeFalse();
        parsed.Problems[0].Path.Should().Be(path);
    }

    /// <summary>Issue 12.5: the signature covers the canonical checkpoint, so white space (jq .), member order and escapes do not matter.</summary>
    [Fact]
    public void Issue12_TheSkeletonPrettyPrinted_ParsesToTheSameCheckpoint()
    {
        var pretty = System.Text.Json.Nodes.JsonNode.Parse(Skeleton)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        pretty.Should().Contain("\n    \"head\": ");

        var parsed = Receipt.Parse(Utf8(pretty));

        parsed.Success.Should().BeTrue(string.Join("; ", parsed.Problems));
        parsed.Value!.Checkpoint.ToJson().Should().Equal(Receipt.Parse(Utf8(Skeleton)).Value!.Checkpoint.ToJson());
    }

    [Theory]
    [InlineData("\"head\":", "\"note\":\"x\",\"head\":", "checkpoint.not-canonical")]
    [InlineData("\"size\":3,\"time\"", "\"size\":3,\"size\":3,\"time\"", "json.duplicate-key")]
    [InlineData("\"size\":3,\"time\"", "\"size\":3.0,\"time\"", "json.number")]
    public void Issue12_ACheckpointThatIsMoreThanItsSixMembers_IsStillRefused(string from, string to, string code)
    {
        var parsed = Receipt.Parse(Utf8(Skeleton.Replace(from, to, StringComparison.Ordinal)));

        parsed.Success.Should().BeFalse();
        parsed.Problems[0].Code.Should().Be(code);
        parsed.Problems[0].Path.Should().StartWith("$.checkpoint");
    }

    [Fact]
    public void TheSkeleton_Parses()
    {
        Receipt.Parse(Utf8(Skeleton)).Success.Should().BeTrue("the cases above change one field of a receipt that parses");
    }

    [Property(MaxTest = 500, Arbitrary = new[] { typeof(Cases) })]
    public void Property_AnyChangedOrDroppedCharacter_ParsesOrIsRefused_AndChecksWithoutThrowing((int At, char Replacement, bool Drop) c)
    {
        var text = c.Drop ? Skeleton.Remove(c.At, 1) : Skeleton[..c.At] + c.Replacement + Skeleton[(c.At + 1)..];
        var parsed = Receipt.Parse(Utf8(text));
        if (parsed.Success) parsed.Value!.Verify(new byte[91]).Valid.Should().BeFalse("nothing here is signed");
        else parsed.Problems.Should().NotBeEmpty();
    }
}
