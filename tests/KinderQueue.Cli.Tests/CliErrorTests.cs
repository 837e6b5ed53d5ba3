using System.Text.Json.Nodes;

namespace KinderQueue.Cli.Tests;

/// <summary>
/// Input and usage errors: exit code 2, nothing on stdout, and a message on stderr that names
/// the file, the field and the problem.
/// </summary>
public sealed class CliErrorTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public CliErrorTests() => _tmp.CopyIn(Repo.DefaultCriteria, "default.json");

    public void Dispose() => _tmp.Dispose();

    /// <summary>The 001 scenario with its criteria next to it, changed by <paramref name="change"/>.</summary>
    private string Scenario(string name, Action<JsonObject> change)
    {
        var scenario = Repo.Vector001Input();
        scenario["criteria"] = "default.json";
        change(scenario);
        return _tmp.Write(name, scenario);
    }

    private static void ShouldBeInputError(CliRun run)
    {
        run.ExitCode.Should().Be(CliApp.InputError, run.ToString());
        run.Stdout.Should().BeEmpty();
        run.Stderr.Should().NotBeNullOrWhiteSpace();
    }

    /// <summary>Issue 17.2: text that is JSON but not Unicode exited 134 (an unhandled exception) instead of 2.</summary>
    [Theory]
    [InlineData("district", "\"\\ud800\"", "$.kindergartens[0].district")]   // an unpaired surrogate escape in a string
    [InlineData("district", "\"cen\u00fftral\"", "$.kindergartens[0].district")] // replaced by the byte 0xFF below: invalid UTF-8
    [InlineData("root key", "", "$")]                                              // a key escaping a lone low surrogate at the root
    public async Task Issue17_Text_that_is_not_unicode_is_an_input_error_naming_the_field(string where, string value, string path)
    {
        var text = where == "root key"
            ? """{"input":{},"expected":{},"\udc00-expected":1}"""
            : """{"criteria":"default.json","date":"2027-05-01","startDate":"2027-09-01","kindergartens":[{"id":"kg-a","district":VALUE,"catchment":[]}],"programs":[],"applicants":[]}""".Replace("VALUE", value, StringComparison.Ordinal);
        var bytes = System.Text.Encoding.UTF8.GetBytes(text);
        var mark = Array.IndexOf(bytes, (byte)0xC3);
        if (mark >= 0) bytes = [.. bytes[..mark], 0xFF, .. bytes[(mark + 2)..]];
        var file = _tmp.File("not-unicode.json");
        File.WriteAllBytes(file, bytes);

        var run = await CliRun.Of("allocate", file);

        ShouldBeInputError(run);
        run.Stderr.Should().Contain($"{path}:").And.Contain("[json.string]");
    }

    [Fact]
    public async Task A_missing_file_is_an_input_error_naming_the_file()
    {
        var file = _tmp.File("no-such-scenario.json");

        var run = await CliRun.Of("allocate", file);

        ShouldBeInputError(run);
        run.Stderr.Should().Contain(file).And.Contain("cannot read");
    }

    [Fact]
    public async Task A_folder_given_as_the_scenario_is_an_input_error()
    {
        var run = await CliRun.Of("allocate", _tmp.Path);

        ShouldBeInputError(run);
        run.Stderr.Should().Contain(_tmp.Path).And.Contain("cannot read");
    }

    [Fact]
    public async Task Malformed_json_is_an_input_error_naming_the_file_and_the_position()
    {
        var file = _tmp.Write("broken.json", "{\n  \"criteria\": \"default.json\",\n  \"date\": ");

        var run = await CliRun.Of("allocate", file);

        ShouldBeInputError(run);
        run.Stderr.Should().Contain(file).And.Contain("not valid JSON").And.Contain("LineNumber");
    }

    [Fact]
    public async Task A_wrong_type_names_the_field_path()
    {
        var file = Scenario("wrong-type.json", s => s["programs"]![0]!["seats"] = "two");

        var run = await CliRun.Of("allocate", file);

        ShouldBeInputError(run);
        run.Stderr.Should().Contain(file).And.Contain("$.programs[0].seats").And.Contain("whole number");
    }

    [Fact]
    public async Task A_wrong_type_in_a_vector_file_names_the_path_under_input()
    {
        var vector = JsonNode.Parse(File.ReadAllText(Repo.Vector001))!;
        vector["input"]!["criteria"] = Repo.DefaultCriteria;
        vector["input"]!["programs"]![1]!["seats"] = "two";
        var file = _tmp.Write("vector.json", vector);

        var run = await CliRun.Of("allocate", file);

        ShouldBeInputError(run);
        run.Stderr.Should().Contain(file).And.Contain("$.input.programs[1].seats");
    }

    [Fact]
    public async Task A_missing_required_field_names_it()
    {
        var file = Scenario("no-date.json", s => s.Remove("date"));

        var run = await CliRun.Of("allocate", file);

        ShouldBeInputError(run);
        run.Stderr.Should().Contain(file).And.Contain("$.date");
    }

    [Fact]
    public async Task More_preferences_than_the_criteria_allow_names_the_applicant_and_the_rule()
    {
        var file = Scenario("too-many.json", s =>
        {
            var kgs = s["kindergartens"]!.AsArray();
            var prefs = new JsonArray("kg-a", "kg-b");
            for (var i = 1; i <= 4; i++)
            {
                kgs.Add(new JsonObject { ["id"] = $"kg-x{i}", ["district"] = "central", ["catchment"] = new JsonArray() });
                prefs.Add($"kg-x{i}");
            }
            s["applicants"]![1]!["preferences"] = prefs; // 6 > maxPreferences 5
        });

        var run = await CliRun.Of("allocate", file);

        ShouldBeInputError(run);
        run.Stderr.Should().Contain(file)
            .And.Contain("$.applicants[1].preferences")
            .And.Contain("too-many-preferences")
            .And.Contain("at most 5");
    }

    [Fact]
    public async Task An_unknown_criteria_file_names_the_reference_and_the_field()
    {
        var file = Scenario("unknown-criteria.json", s => s["criteria"] = "nowhere/criteria.json");

        var run = await CliRun.Of("allocate", file);

        ShouldBeInputError(run);
        run.Stderr.Should().Contain(file)
            .And.Contain("$.criteria")
            .And.Contain("nowhere/criteria.json")
            .And.Contain("criteria.file");
    }

    [Fact]
    public async Task A_criteria_reference_that_is_not_a_valid_path_is_an_input_error_not_a_crash()
    {
        // Regression: a NUL character made Path.GetFullPath throw outside the loader's try block.
        var file = Scenario("nul-criteria.json", s => s["criteria"] = "default\u0000.json");

        var run = await CliRun.Of("allocate", file);

        ShouldBeInputError(run);
        run.Stderr.Should().Contain(file).And.Contain("$.criteria").And.Contain("criteria.file");
    }

    [Fact]
    public async Task A_criteria_file_that_is_not_json_names_both_files()
    {
        _tmp.Write("broken-criteria.json", "{ \"version\": ");
        var file = Scenario("broken-criteria-ref.json", s => s["criteria"] = "broken-criteria.json");

        var run = await CliRun.Of("allocate", file);

        ShouldBeInputError(run);
        run.Stderr.Should().Contain(file).And.Contain("broken-criteria.json").And.Contain("$.criteria").And.Contain("json.malformed");
    }

    [Fact]
    public async Task An_invalid_criteria_file_names_the_criteria_field_and_the_rule()
    {
        var criteria = JsonNode.Parse(File.ReadAllText(Repo.DefaultCriteria))!;
        criteria["categories"]![2]!["legalBasis"] = "";
        _tmp.Write("no-basis.json", criteria);
        var file = Scenario("invalid-criteria.json", s => s["criteria"] = "no-basis.json");

        var run = await CliRun.Of("allocate", file);

        ShouldBeInputError(run);
        run.Stderr.Should().Contain(file)
            .And.Contain("no-basis.json")
            .And.Contain("$.criteria")
            .And.Contain("$.categories[2].legalBasis")
            .And.Contain("no-legal-basis");
    }

    [Fact]
    public async Task Invalid_inline_criteria_name_the_path_inside_the_scenario()
    {
        var file = Scenario("invalid-inline-criteria.json", s =>
        {
            var criteria = JsonNode.Parse(File.ReadAllText(Repo.DefaultCriteria))!;
            criteria["categories"]![0]!.AsObject().Remove("legalBasis");
            s["criteria"] = criteria;
        });

        var run = await CliRun.Of("allocate", file);

        ShouldBeInputError(run);
        run.Stderr.Should().Contain(file).And.Contain("$.criteria.categories[0]");
    }

    [Fact]
    public async Task Explain_reports_input_errors_the_same_way()
    {
        var file = Scenario("wrong-type.json", s => s["programs"]![0]!["seats"] = "two");

        var run = await CliRun.Of("explain", file, "A-0001");

        ShouldBeInputError(run);
        run.Stderr.Should().Contain(file).And.Contain("$.programs[0].seats");
    }

    [Theory]
    [InlineData("")]
    [InlineData("frobnicate")]
    [InlineData("allocate")]
    [InlineData("allocate a.json extra")]
    [InlineData("explain a.json")]
    [InlineData("vectors")]
    [InlineData("vectors fix dir")]
    [InlineData("--version")]
    public async Task Unknown_commands_and_wrong_arguments_print_usage_on_stderr(string commandLine)
    {
        var run = await CliRun.Of(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        ShouldBeInputError(run);
        run.Stderr.Should().Contain("kq allocate <scenario.json>").And.Contain("kq vectors check");
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_prints_usage_on_stdout_and_succeeds(string flag)
    {
        var run = await CliRun.Of(flag);

        run.ExitCode.Should().Be(CliApp.Ok, run.ToString());
        run.Stderr.Should().BeEmpty();
        run.Stdout.Should().Contain("kq allocate <scenario.json>").And.Contain("Exit codes");
    }
}
