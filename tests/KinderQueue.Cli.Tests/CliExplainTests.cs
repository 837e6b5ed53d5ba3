namespace KinderQueue.Cli.Tests;

/// <summary><c>kq explain</c>: one application's result in plain words.</summary>
public sealed class CliExplainTests
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public async Task An_offered_applicant_is_told_where_and_why_not_at_the_earlier_choice()
    {
        var run = await CliRun.Of("explain", Repo.Vector001, "A-0001");

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stderr.Should().BeEmpty();
        run.Stdout.Should().Contain("Application A-0001").And.Contain("Offered a place at kg-b");

        var lines = Lines(run.Stdout);
        var kgA = lines.Should().ContainSingle(l => l.StartsWith("1. kg-a:")).Subject;
        kgA.Should().Contain("not offered")
            .And.Contain("1 seat(s)")
            .And.Contain("You were 1st among general queue (general) applicants")
            .And.Contain("the last admitted was 1st among")
            .And.Contain("(sibling) applicants");
        var kgB = lines.Should().ContainSingle(l => l.StartsWith("2. kg-b:")).Subject;
        kgB.Should().Contain("offered").And.NotContain("not offered").And.Contain("1st");
    }

    [Fact]
    public async Task A_waitlisted_applicant_is_told_there_is_no_offer_and_their_rank()
    {
        var run = await CliRun.Of("explain", Repo.Vector001, "A-0003");

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stderr.Should().BeEmpty();
        run.Stdout.Should().Contain("No offer this round").And.NotContain("Offered a place");
        var kgB = Lines(run.Stdout).Should().ContainSingle(l => l.StartsWith("1. kg-b:")).Subject;
        // A-0003's sibling claim is for kg-a, so at kg-b it is ranked in the general queue, behind A-0001 and A-0002.
        kgB.Should().Contain("not offered").And.Contain("You were 3rd among general queue (general) applicants");
    }

    [Fact]
    public async Task The_sibling_applicant_is_offered_its_sibling_kindergarten()
    {
        var run = await CliRun.Of("explain", Repo.Vector001, "A-0002");

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stdout.Should().Contain("Offered a place at kg-a").And.Contain("Junior group");
        Lines(run.Stdout).Should().ContainSingle(l => l.StartsWith("1. kg-a:"))
            .Which.Should().Contain("offered. You were 1st among").And.Contain("(sibling)");
    }

    [Fact]
    public async Task An_unknown_number_is_an_input_error_naming_the_number()
    {
        var run = await CliRun.Of("explain", Repo.Vector001, "A-9999");

        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        run.Stdout.Should().BeEmpty();
        run.Stderr.Should().Contain("A-9999").And.Contain(Repo.Vector001).And.Contain("$.applicants");
    }

    [Fact]
    public async Task Explain_on_a_missing_file_is_an_input_error()
    {
        var file = Path.Combine(Path.GetTempPath(), "kq-cli-tests-missing-" + Guid.NewGuid().ToString("N") + ".json");

        var run = await CliRun.Of("explain", file, "A-0001");

        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        run.Stdout.Should().BeEmpty();
        run.Stderr.Should().Contain(file);
    }
}
