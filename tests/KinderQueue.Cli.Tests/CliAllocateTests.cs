using System.Text.Json.Nodes;
using KinderQueue.Core.Encoding;

namespace KinderQueue.Cli.Tests;

/// <summary><c>kq allocate</c> prints the canonical result JSON, the same bytes a vector's "expected" holds.</summary>
public sealed class CliAllocateTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    private static string Canonical(string json)
    {
        var parsed = CanonicalJson.Canonicalize(System.Text.Encoding.UTF8.GetBytes(json));
        parsed.Success.Should().BeTrue("the text should be canonicalizable JSON: {0}", string.Join("; ", parsed.Problems));
        return System.Text.Encoding.UTF8.GetString(parsed.Value!);
    }

    [Fact]
    public async Task Allocate_on_a_spec_vector_prints_its_expected_output()
    {
        var run = await CliRun.Of("allocate", Repo.Vector001);

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stderr.Should().BeEmpty();
        Canonical(run.Stdout).Should().Be(Canonical(Repo.Vector001Expected()));
    }

    [Fact]
    public async Task Allocate_prints_exactly_the_canonical_bytes_and_one_newline()
    {
        var run = await CliRun.Of("allocate", Repo.Vector001);

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stdout.Should().EndWith("\n");
        var body = run.Stdout.TrimEnd('\r', '\n');
        body.Should().Be(Canonical(body), "allocate prints the canonical form itself, not just equivalent JSON");
        body.Should().NotContain("\n");
    }

    [Fact]
    public async Task Allocate_on_a_bare_scenario_with_a_relative_criteria_reference_matches_the_vector()
    {
        _tmp.CopyIn(Repo.DefaultCriteria, "default.json");
        var scenario = Repo.Vector001Input();
        scenario["criteria"] = "default.json";
        var file = _tmp.Write("scenario.json", scenario);

        var run = await CliRun.Of("allocate", file);

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stderr.Should().BeEmpty();
        Canonical(run.Stdout).Should().Be(Canonical(Repo.Vector001Expected()));
    }

    [Fact]
    public async Task A_relative_criteria_reference_is_resolved_from_the_scenario_folder_not_the_working_directory()
    {
        // The test process's working directory is not the temp folder, so "criteria/default.json"
        // is only found if it is resolved against the folder of the scenario file.
        _tmp.CopyIn(Repo.DefaultCriteria, Path.Combine("criteria", "default.json"));
        var scenario = Repo.Vector001Input();
        scenario["criteria"] = "../criteria/default.json";
        var file = _tmp.Write(Path.Combine("scenarios", "scenario.json"), scenario);
        Directory.GetCurrentDirectory().Should().NotBe(Path.Combine(_tmp.Path, "scenarios"));

        var run = await CliRun.Of("allocate", file);

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        Canonical(run.Stdout).Should().Be(Canonical(Repo.Vector001Expected()));
    }

    [Fact]
    public async Task Allocate_on_a_bare_scenario_with_an_absolute_criteria_path_matches_the_vector()
    {
        var scenario = Repo.Vector001Input();
        scenario["criteria"] = Repo.DefaultCriteria;
        var file = _tmp.Write("scenario.json", scenario);

        var run = await CliRun.Of("allocate", file);

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stderr.Should().BeEmpty();
        Canonical(run.Stdout).Should().Be(Canonical(Repo.Vector001Expected()));
    }

    [Fact]
    public async Task Allocate_on_a_bare_scenario_with_inline_criteria_matches_the_vector()
    {
        var scenario = Repo.Vector001Input();
        scenario["criteria"] = JsonNode.Parse(File.ReadAllText(Repo.DefaultCriteria));
        var file = _tmp.Write("scenario.json", scenario);

        var run = await CliRun.Of("allocate", file);

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        Canonical(run.Stdout).Should().Be(Canonical(Repo.Vector001Expected()));
    }

    [Fact]
    public async Task Allocate_given_a_relative_scenario_path_resolves_it_against_the_working_directory()
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), Repo.Vector001);

        var run = await CliRun.Of("allocate", relative);

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        Canonical(run.Stdout).Should().Be(Canonical(Repo.Vector001Expected()));
    }
}
