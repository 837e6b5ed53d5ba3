using System.Text.RegularExpressions;
using KinderQueue.Web.Tests.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace KinderQueue.Web.Tests;

/// <summary>
/// The check-it-yourself page against a real receipt from the demo service. DOM contract:
/// textarea#receipt-input, button#receipt-check, and #receipt-result which gets data-valid="true"
/// or "false" and, when false, data-failed naming the first failed check (entry-hash | size |
/// inclusion | signature | key | entry | format).
/// </summary>
[Collection(SiteCollectionDefinition.Name)]
[Trait("Category", "Browser")]
public sealed class CheckPageTests(SiteFixture site, ITestOutputHelper output)
{
    /// <summary>The check may fetch the published key first; give it a little more than a plain wait.</summary>
    private static readonly LocatorAssertionsToHaveAttributeOptions VerdictWait = new() { Timeout = 10_000 };

    [Fact]
    public async Task GenuineReceipt_IsValid()
    {
        var receipt = await site.ReceiptAsync(site.Service.Application());

        await site.RunAsync(async session =>
        {
            var result = await CheckAsync(session, receipt);

            await Expect(result).ToHaveAttributeAsync("data-valid", "true", VerdictWait);
            await Expect(result).ToBeVisibleAsync();
            await Expect(result).ToContainTextAsync(new Regex("верн|valid", RegexOptions.IgnoreCase));
            await ExpectNoProblemsAsync(session);
        });
    }

    [Fact]
    public async Task ReceiptWithOneCharacterOfTheEntryChanged_FailsTheEntryHash()
    {
        var receipt = ReceiptTampering.ChangeEntryPayload(await site.ReceiptAsync(site.Service.Application()));

        await site.RunAsync(async session =>
        {
            var result = await CheckAsync(session, receipt);

            await Expect(result).ToHaveAttributeAsync("data-valid", "false", VerdictWait);
            await Expect(result).ToHaveAttributeAsync("data-failed", "entry-hash");
            await ExpectNoProblemsAsync(session);
        });
    }

    [Theory]
    [InlineData("root", "inclusion")]
    [InlineData("signature", "signature")]
    public async Task ReceiptWithACheckpointFieldChanged_FailsThatCheck(string field, string failedCheck)
    {
        var genuine = await site.ReceiptAsync(site.Service.Application());
        var receipt = field == "root" ? ReceiptTampering.ChangeRoot(genuine) : ReceiptTampering.ChangeSignature(genuine);

        await site.RunAsync(async session =>
        {
            var result = await CheckAsync(session, receipt);

            await Expect(result).ToHaveAttributeAsync("data-valid", "false", VerdictWait);
            await Expect(result).ToHaveAttributeAsync("data-failed", failedCheck);
            await ExpectNoProblemsAsync(session);
        }, field);
    }

    /// <summary>Issue 12.5: a genuine receipt pretty-printed with <c>jq .</c> was refused as «Это не похоже на квитанцию».</summary>
    [Fact]
    public async Task Issue12_GenuineReceiptPrettyPrinted_IsValid()
    {
        var receipt = ReceiptTampering.PrettyPrint(await site.ReceiptAsync(site.Service.Application()));
        receipt.Should().Contain("\n  \"checkpoint\": {", "the receipt is spread over lines as jq prints it");

        await site.RunAsync(async session =>
        {
            var result = await CheckAsync(session, receipt);

            await Expect(result).ToHaveAttributeAsync("data-valid", "true", VerdictWait);
            await ExpectNoProblemsAsync(session);
        });
    }

    [Theory]
    [InlineData("root", "inclusion")]
    [InlineData("signature", "signature")]
    public async Task Issue12_PrettyPrintedReceiptWithACheckpointFieldChanged_StillFailsThatCheck(string field, string failedCheck)
    {
        var genuine = await site.ReceiptAsync(site.Service.Application());
        var receipt = ReceiptTampering.PrettyPrint(field == "root" ? ReceiptTampering.ChangeRoot(genuine) : ReceiptTampering.ChangeSignature(genuine));

        await site.RunAsync(async session =>
        {
            var result = await CheckAsync(session, receipt);

            await Expect(result).ToHaveAttributeAsync("data-valid", "false", VerdictWait);
            await Expect(result).ToHaveAttributeAsync("data-failed", failedCheck);
            await ExpectNoProblemsAsync(session);
        }, "pretty-" + field);
    }

    [Fact]
    public async Task Issue12_ReceiptWithAMemberAddedToItsCheckpoint_IsNotAReceipt()
    {
        var genuine = await site.ReceiptAsync(site.Service.Application());
        var receipt = ReceiptTampering.PrettyPrint(genuine.Replace("\"checkpoint\":{", "\"checkpoint\":{\"note\":\"x\",", StringComparison.Ordinal));

        await site.RunAsync(async session =>
        {
            var result = await CheckAsync(session, receipt);

            await Expect(result).ToHaveAttributeAsync("data-valid", "false", VerdictWait);
            await Expect(result).ToHaveAttributeAsync("data-failed", "format");
            await ExpectNoProblemsAsync(session);
        });
    }

    [Fact]
    public async Task FilePicker_SpeaksThePagesLanguage_AndAChosenFileIsChecked()
    {
        // Issue 17: the browser's own file input read "Choose File" on a Russian page.
        var receipt = await site.ReceiptAsync(site.Service.Application());

        await site.RunAsync(async session =>
        {
            var page = session.Page;
            await session.GotoAsync("/check.html");
            var button = page.Locator("#receipt-file-button");
            await Expect(button).ToHaveTextAsync("Выбрать файл");
            await Expect(button).ToBeVisibleAsync();
            await Expect(page.Locator("#receipt-file-name")).ToHaveTextAsync("Файл не выбран");
            // The browser's own control ("Choose File") is out of sight: a 1 px input behind our button.
            (await page.Locator("#receipt-file").BoundingBoxAsync())!.Width.Should().BeLessThanOrEqualTo(1);

            await page.ClickAsync("#lang-switch");
            await Expect(button).ToHaveTextAsync("Choose a file");
            await Expect(page.Locator("#receipt-file-name")).ToHaveTextAsync("No file chosen");
            await page.ClickAsync("#lang-switch");

            // The keyboard reaches the hidden input, and clicking our button opens the browser's chooser.
            var chooser = await page.RunAndWaitForFileChooserAsync(() => button.ClickAsync());
            await chooser.SetFilesAsync(new FilePayload { Name = "receipt.json", MimeType = "application/json", Buffer = System.Text.Encoding.UTF8.GetBytes(receipt) });
            await Expect(page.Locator("#receipt-file-name")).ToHaveTextAsync("receipt.json");
            await Expect(page.Locator("#receipt-result")).ToHaveAttributeAsync("data-valid", "true", VerdictWait);
            await ExpectNoProblemsAsync(session);
        });
    }

    private static async Task<ILocator> CheckAsync(PageSession session, string receipt)
    {
        await session.GotoAsync("/check.html");
        await session.Page.FillAsync("#receipt-input", receipt);
        await session.Page.ClickAsync("#receipt-check");
        return session.Page.Locator("#receipt-result");
    }

    // A refused receipt is an answer, not an error: the page stays quiet in the console either way.
    private async Task ExpectNoProblemsAsync(PageSession session)
    {
        var problems = await session.ProblemsAsync();
        foreach (var p in problems) output.WriteLine(p);
        problems.Should().BeEmpty("checking a receipt must not raise errors in the page");
    }
}
