using System.Security.Cryptography;
using System.Text.Json;
using KinderQueue.Core.Allocation;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.Log;
using KinderQueue.Core.Signals;
using KinderQueue.Core.State;

namespace KinderQueue.Core.Vectors;

/// <summary>
/// Computes the expected output of a spec vector (SPEC.md §10) from its input. The tests
/// compare it with the checked-in expected output; the regeneration script writes it back.
/// Each area of algorithm-spec/vectors has one rule here.
/// </summary>
public static class VectorEvaluator
{
    public static readonly IReadOnlyList<string> Areas = ["allocation", "criteria", "log", "positions", "replay", "signals"];

    /// <summary>Canonical bytes of the expected output. <paramref name="hashOnly"/> gives <c>{"sha256": …}</c> of the full output instead.</summary>
    public static byte[] Evaluate(string area, JsonElement input, ScenarioJson.CriteriaLoader loadCriteria, bool hashOnly = false)
    {
        var w = new CanonicalJsonWriter(4096);
        switch (area)
        {
            case "allocation": Allocation(w, input, loadCriteria); break;
            case "criteria": Criteria(w, input); break;
            case "log": LogArea(w, input); break;
            case "positions": Positions(w, input, loadCriteria); break;
            case "replay": Replay(w, input); break;
            case "signals": SignalsArea(w, input); break;
            default: throw new ArgumentException($"Unknown vector area '{area}'.", nameof(area));
        }
        var bytes = w.ToArray();
        if (!hashOnly) return bytes;
        var h = new CanonicalJsonWriter(96);
        h.StartObject();
        h.Property("sha256", Hex.Encode(SHA256.HashData(bytes)));
        h.EndObject();
        return h.ToArray();
    }

    private static void WriteProblems(CanonicalJsonWriter w, IReadOnlyList<ValidationProblem> problems)
    {
        w.StartObject();
        w.Key("problems");
        w.StartArray();
        foreach (var p in problems)
        {
            w.StartObject();
            w.Property("code", p.Code);
            w.Property("path", p.Path);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }

    private static void Allocation(CanonicalJsonWriter w, JsonElement input, ScenarioJson.CriteriaLoader load)
    {
        var scenario = ScenarioJson.Read(input, "$", load);
        if (!scenario.Success)
        {
            WriteProblems(w, scenario.Problems);
            return;
        }
        ResultJson.Write(w, Allocator.Allocate(scenario.Value!));
    }

    private static void Criteria(CanonicalJsonWriter w, JsonElement input)
    {
        var criteria = CriteriaJson.Read(input, "$");
        if (!criteria.Success)
        {
            WriteProblems(w, criteria.Problems);
            return;
        }
        w.StartObject();
        w.Key("canonical");
        CriteriaJson.Write(w, criteria.Value!);
        w.Property("sha256", Hex.Encode(SHA256.HashData(CriteriaJson.ToCanonicalBytes(criteria.Value!))));
        w.EndObject();
    }

    private static void Positions(CanonicalJsonWriter w, JsonElement input, ScenarioJson.CriteriaLoader load)
    {
        var scenario = ScenarioJson.Read(input, "$", load);
        if (!scenario.Success)
        {
            WriteProblems(w, scenario.Problems);
            return;
        }
        var s = scenario.Value!;
        var positions = QueuePositions.Compute(s.Criteria, s.Date, s.Kindergartens, s.Applicants);
        var projection = Allocator.Allocate(s with { StartDate = s.Date });
        w.StartObject();
        w.Key("positions");
        w.StartArray();
        foreach (var a in positions)
        {
            w.StartObject();
            w.Property("number", a.Number);
            w.Key("queues");
            w.StartArray();
            foreach (var q in a.Positions)
            {
                w.StartObject();
                w.Property("from", Formats.Format(q.From));
                w.Property("group", q.Group);
                w.Property("kindergarten", q.Kindergarten);
                w.Property("position", q.Position);
                w.Property("tier", q.Tier);
                w.Property("total", q.Total);
                w.Property("year", q.Year);
                w.EndObject();
            }
            w.EndArray();
            w.EndObject();
        }
        w.EndArray();
        w.Key("projection");
        w.StartArray();
        foreach (var o in projection.Offers)
        {
            w.StartObject();
            w.Property("group", o.Group);
            w.Property("kindergarten", o.Kindergarten);
            w.Property("number", o.Number);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }

    /// <summary>A list of entries → their exact lines, hashes, the chain head and the Merkle root.</summary>
    private static void LogArea(CanonicalJsonWriter w, JsonElement input)
    {
        var chain = new LogChain();
        var merkle = new MerkleAccumulator();
        var f = new JsonFields();
        w.StartObject();
        w.Key("entries");
        w.StartArray();
        var i = 0;
        foreach (var step in input.GetProperty("entries").EnumerateArray())
        {
            var path = $"$.entries[{i++}]";
            var at = f.Instant(step, path, "at");
            var actor = f.String(step, path, "actor");
            var type = f.String(step, path, "type");
            if (!f.TryGet(step, path, "payload", out var payloadJson) || at is null || actor is null || type is null)
                throw new InvalidDataException($"{path}: {string.Join("; ", f.Problems)}");
            var payload = CanonicalJson.Canonicalize(System.Text.Encoding.UTF8.GetBytes(payloadJson.GetRawText())).GetValueOrThrow();
            var (_, bytes, hash) = chain.Append(at.Value, actor, type, payload);
            merkle.Append(hash);
            w.StartObject();
            w.Property("hash", Hex.Encode(hash));
            w.Property("line", System.Text.Encoding.UTF8.GetString(bytes));
            w.EndObject();
        }
        w.EndArray();
        w.Property("head", Hex.Encode(chain.Head));
        w.Property("root", Hex.Encode(merkle.Root()));
        w.Property("size", chain.Size);
        w.EndObject();
    }

    /// <summary>
    /// Steps of commands applied in order, as the service would: an event is appended only if the
    /// fold accepts it; a round step computes and appends a decision. Output: what happened to each
    /// step, the decisions, every application's final status, and the log's head and root.
    /// </summary>
    private static void Replay(CanonicalJsonWriter w, JsonElement input)
    {
        var state = new QueueState();
        var chain = new LogChain();
        var merkle = new MerkleAccumulator();
        // "steps" is known first but sorts last among the output keys: collect it aside (canonical key order).
        var stepsOut = new CanonicalJsonWriter(4096);
        stepsOut.StartArray();
        foreach (var step in Steps(input, state, chain))
        {
            stepsOut.StartObject();
            if (step.Hash is { } hash)
            {
                merkle.Append(hash);
                stepsOut.Property("hash", Hex.Encode(hash));
                stepsOut.Property("seq", step.Entry!.Seq);
                stepsOut.Property("type", step.Event!.Type);
            }
            if (step.Problems.Count > 0)
            {
                stepsOut.Key("rejected");
                stepsOut.StartObject();
                stepsOut.Property("code", step.Problems[0].Code);
                stepsOut.Property("path", step.Problems[0].Path);
                stepsOut.EndObject();
            }
            stepsOut.EndObject();
        }
        stepsOut.EndArray();
        w.StartObject();
        w.Key("decisions");
        w.StartArray();
        foreach (var (seq, d) in state.Decisions)
        {
            w.StartObject();
            w.Key("payload");
            w.Raw(EventCodec.Encode(d));
            w.Property("seq", seq);
            w.EndObject();
        }
        w.EndArray();
        w.Property("head", Hex.Encode(chain.Head));
        w.Property("root", Hex.Encode(merkle.Root()));
        w.Property("size", chain.Size);
        w.Key("statuses");
        w.StartObject();
        foreach (var a in state.Applications.Values.OrderBy(a => a.Number, StringComparer.Ordinal))
        {
            w.Key(a.Number);
            w.String(StatusText(a.Status));
        }
        w.EndObject();
        w.Key("steps");
        w.Raw(stepsOut.WrittenSpan);
        w.EndObject();
    }

    /// <summary>What became of one step: the entry appended (with its hash), or the problems that refused it.</summary>
    private sealed record StepOutcome(LogEntry? Entry, LogEvent? Event, byte[]? Hash, IReadOnlyList<ValidationProblem> Problems);

    /// <summary>
    /// Applies the steps of a replay or signals vector in order, as the service would: an event is
    /// appended only if the fold accepts it; a round step computes and appends a decision. Lazy: each
    /// outcome is yielded right after its entry was folded into <paramref name="state"/>.
    /// </summary>
    private static IEnumerable<StepOutcome> Steps(JsonElement input, QueueState state, LogChain chain)
    {
        var f = new JsonFields();
        var i = 0;
        foreach (var step in input.GetProperty("steps").EnumerateArray())
        {
            var path = $"$.steps[{i++}]";
            var at = f.Instant(step, path, "at") ?? throw new InvalidDataException($"{path}.at is required.");
            var actor = f.String(step, path, "actor") ?? throw new InvalidDataException($"{path}.actor is required.");
            LogEvent? e;
            IReadOnlyList<ValidationProblem> problems;
            if (step.TryGetProperty("round", out var round))
            {
                var decided = Rounds.Decide(state, round.GetProperty("id").GetString()!,
                    RoundDate(round, $"{path}.round", "date"), RoundDate(round, $"{path}.round", "startDate"));
                e = decided.Value?.Decision;
                problems = decided.Problems;
            }
            else
            {
                var type = f.String(step, path, "type") ?? throw new InvalidDataException($"{path}.type is required.");
                var payload = CanonicalJson.Canonicalize(System.Text.Encoding.UTF8.GetBytes(step.GetProperty("payload").GetRawText())).GetValueOrThrow();
                var decoded = EventCodec.Decode(type, payload);
                e = decoded.Value;
                problems = decoded.Problems;
            }
            if (e is null)
            {
                yield return new StepOutcome(null, null, null, problems);
                continue;
            }
            var entry = new LogEntry(chain.Size, Formats.TruncateToMillisecond(at), actor, e.Type, EventCodec.Encode(e), chain.Head.ToArray());
            var problem = state.Apply(entry, e);
            if (problem is not null)
            {
                yield return new StepOutcome(null, null, null, [problem]);
                continue;
            }
            var (_, _, hash) = chain.Append(at, actor, e);
            yield return new StepOutcome(entry, e, hash, problems);
        }
    }

    /// <summary>
    /// Replay steps → the signals document of the log they build (SPEC.md §17.5), the review problems
    /// a validator reports (§17.6), and the steps the fold refused (a vector normally has none).
    /// </summary>
    private static void SignalsArea(CanonicalJsonWriter w, JsonElement input)
    {
        var state = new QueueState();
        var ledger = new SignalLedger();
        var refused = new List<(int Step, ValidationProblem Problem)>();
        var i = 0;
        foreach (var step in Steps(input, state, new LogChain()))
        {
            if (step.Entry is { } entry) ledger.Observe(entry, step.Event!, state);
            else refused.Add((i, step.Problems[0]));
            i++;
        }
        w.StartObject();
        w.Key("rejected");
        w.StartArray();
        foreach (var (n, p) in refused)
        {
            w.StartObject();
            w.Property("code", p.Code);
            w.Property("path", p.Path);
            w.Property("step", n);
            w.EndObject();
        }
        w.EndArray();
        w.Key("reviewProblems");
        w.StartArray();
        foreach (var p in ledger.ReviewProblems)
        {
            w.StartObject();
            w.Property("code", p.Problem.Code);
            w.Property("path", p.Problem.Path);
            w.Property("seq", p.Seq);
            w.EndObject();
        }
        w.EndArray();
        w.Key("signals");
        SignalsJson.Write(w, ledger.Document());
        w.EndObject();
    }

    /// <summary>A date of a replay step's round; a vector with an unreadable one is broken, not a crash (found by CliFuzzTests).</summary>
    private static NodaTime.LocalDate RoundDate(JsonElement round, string path, string name)
    {
        var text = round.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : null;
        var parsed = text is null ? null : Formats.Date.Parse(text);
        if (parsed is null || !parsed.Success) throw new InvalidDataException($"{path}.{name} must be a date (uuuu-MM-dd).");
        return parsed.Value;
    }

    public static string StatusText(ApplicationStatus s) => s switch
    {
        ApplicationStatus.Waiting => "waiting",
        ApplicationStatus.Offered => "offered",
        ApplicationStatus.Accepted => "accepted",
        ApplicationStatus.Enrolled => "enrolled",
        ApplicationStatus.Paused => "paused",
        ApplicationStatus.Withdrawn => "withdrawn",
        ApplicationStatus.Archived => "archived",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };
}
