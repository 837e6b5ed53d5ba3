using System.Text.Json.Nodes;

namespace KinderQueue.Cli.Tests;

/// <summary><c>kq vectors check|regenerate</c> on a small copy of the spec tree.</summary>
public sealed class CliVectorsTests : IDisposable
{
    private readonly TempDir _tmp = new();
    private readonly string _vectors;
    private readonly string _vector001;

    public CliVectorsTests()
    {
        // Same layout as algorithm-spec: the vector's "../../criteria/default.json" must resolve.
        _tmp.CopyIn(Repo.DefaultCriteria, Path.Combine("criteria", "default.json"));
        _vector001 = _tmp.CopyIn(Repo.Vector001, Path.Combine("vectors", "allocation", Repo.Vector001Name));
        _vectors = _tmp.File("vectors");
    }

    public void Dispose() => _tmp.Dispose();

    /// <summary>Changes the first seat count (kg-a's, in "input") from 1 to 2, leaving the rest of the file as it is.</summary>
    private void ChangeOneSeatCount()
    {
        var text = File.ReadAllText(_vector001);
        const string seats = "\"seats\": 1";
        var at = text.IndexOf(seats, StringComparison.Ordinal);
        at.Should().BeGreaterThan(0);
        at.Should().BeLessThan(text.IndexOf("\"expected\"", StringComparison.Ordinal), "the first seat count is in the input");
        File.WriteAllText(_vector001, text[..at] + "\"seats\": 2" + text[(at + seats.Length)..]);
    }

    [Fact]
    public async Task Check_of_an_unchanged_copy_finds_no_difference()
    {
        var run = await CliRun.Of("vectors", "check", _vectors);

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stderr.Should().BeEmpty();
        run.Stdout.Should().Contain("1 checked").And.Contain("0 different").And.Contain("0 unreadable");
    }

    [Fact]
    public async Task Check_after_a_seat_change_reports_the_file_and_regenerate_fixes_it()
    {
        var original = File.ReadAllText(_vector001);
        ChangeOneSeatCount();

        var check = await CliRun.Of("vectors", "check", _vectors);
        check.ExitCode.Should().Be(CliApp.Found, check.ToString());
        check.Stdout.Should().Contain(_vector001).And.Contain("1 different");
        File.ReadAllText(_vector001).Should().Contain("\"seats\": 2", "check never writes");

        var regenerate = await CliRun.Of("vectors", "regenerate", _vectors);
        regenerate.ExitCode.Should().Be(CliApp.Ok, regenerate.ToString());
        regenerate.Stdout.Should().Contain($"rewrote {_vector001}").And.Contain("1 rewritten");

        var again = await CliRun.Of("vectors", "check", _vectors);
        again.ExitCode.Should().Be(CliApp.Ok, again.ToString());
        again.Stdout.Should().Contain("0 different");

        // The regenerated expected output reflects the new seat count: kg-a now admits both A-0002 and A-0001.
        var rewritten = JsonNode.Parse(File.ReadAllText(_vector001))!;
        var kgA = rewritten["expected"]!["programs"]![0]!;
        kgA["kindergarten"]!.GetValue<string>().Should().Be("kg-a");
        kgA["seats"]!.GetValue<int>().Should().Be(2);
        kgA["admitted"]!.GetValue<int>().Should().Be(2);
        rewritten["description"]!.GetValue<string>().Should().Be(JsonNode.Parse(original)!["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Regenerate_of_an_unchanged_copy_leaves_the_bytes_alone()
    {
        var before = File.ReadAllBytes(_vector001);

        var run = await CliRun.Of("vectors", "regenerate", _vectors);

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stdout.Should().Contain("0 rewritten").And.NotContain("rewrote");
        File.ReadAllBytes(_vector001).Should().Equal(before);
    }

    [Fact]
    public async Task A_vector_without_input_is_an_input_error_naming_the_file()
    {
        var broken = _tmp.Write(Path.Combine("vectors", "allocation", "002-no-input.json"),
            """{"description": "no input", "expected": {}}""");

        var run = await CliRun.Of("vectors", "check", _vectors);

        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        run.Stderr.Should().Contain(broken).And.Contain("'input'");
        run.Stdout.Should().Contain("2 checked").And.Contain("1 unreadable");
    }

    [Fact]
    public async Task A_vector_that_is_not_json_is_an_input_error_naming_the_file()
    {
        var broken = _tmp.Write(Path.Combine("vectors", "allocation", "002-broken.json"), "{\"description\": ");

        var run = await CliRun.Of("vectors", "check", _vectors);

        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        run.Stderr.Should().Contain(broken);
    }

    [Fact]
    public async Task Regenerate_does_not_touch_a_broken_vector()
    {
        const string text = """{"description": "no input", "expected": {}}""";
        var broken = _tmp.Write(Path.Combine("vectors", "allocation", "002-no-input.json"), text);

        var run = await CliRun.Of("vectors", "regenerate", _vectors);

        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        File.ReadAllText(broken).Should().Be(text);
    }

    [Fact]
    public async Task A_missing_vectors_folder_is_an_input_error_naming_it()
    {
        var missing = _tmp.File("no-such-folder");

        var run = await CliRun.Of("vectors", "check", missing);

        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        run.Stdout.Should().BeEmpty();
        run.Stderr.Should().Contain(missing);
    }
}
