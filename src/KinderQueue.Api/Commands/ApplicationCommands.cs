using System.Collections.Immutable;
using System.Text.Json;
using KinderQueue.Api.Endpoints;
using KinderQueue.Core;
using KinderQueue.Core.Criteria;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Events;
using KinderQueue.Core.State;
using KinderQueue.Storage;
using KinderQueue.Storage.Appending;
using NodaTime;

namespace KinderQueue.Api.Commands;

/// <summary>A claimed priority right as submitted: the category is private; only its tier is published.</summary>
public sealed record ClaimInput(string Category, string? Kindergarten, string? Documents);

/// <summary>A submission after field-level parsing: personal data and public choices side by side.</summary>
public sealed record SubmissionInput(
    string ChildName,
    LocalDate BirthDate,
    string ParentName,
    string? Phone,
    string? Email,
    string District,
    ImmutableArray<string> Preferences,
    LocalDate DesiredStart,
    ImmutableArray<ClaimInput> Claims,
    string Kind,
    string Channel,
    Instant? RegisteredAt)
{
    public static SubmissionInput? Parse(JsonElement body, JsonFields f, string channel)
    {
        const string p = "$";
        var childName = "";
        LocalDate? birthDate = null;
        if (f.TryGet(body, p, "child", out var child) && f.IsObject(child, "$.child"))
        {
            childName = f.String(child, "$.child", "name") ?? "";
            birthDate = f.Date(child, "$.child", "birthDate");
        }
        string parentName = "", phone = "", email = "";
        if (f.TryGet(body, p, "parent", out var parent) && f.IsObject(parent, "$.parent"))
        {
            parentName = f.String(parent, "$.parent", "name") ?? "";
            phone = f.String(parent, "$.parent", "phone", required: false) ?? "";
            email = f.String(parent, "$.parent", "email", required: false) ?? "";
        }
        var district = f.String(body, p, "district");
        var preferences = f.Strings(body, p, "preferences");
        var desiredStart = f.Date(body, p, "desiredStart");
        var claims = f.Array(body, p, "claims", (e, cp) => f.IsObject(e, cp)
            ? new ClaimInput(f.String(e, cp, "category") ?? "", f.String(e, cp, "kindergarten", required: false), f.String(e, cp, "documents", required: false))
            : null, required: false) ?? [];
        var kind = f.String(body, p, "kind", required: false) ?? "new";
        LimitLength(f, "$.child.name", childName, 200);
        LimitLength(f, "$.parent.name", parentName, 200);
        LimitLength(f, "$.parent.phone", phone, 50);
        LimitLength(f, "$.parent.email", email, 200);
        if (f.HasProblems) return null;
        return new SubmissionInput(childName, birthDate!.Value, parentName, phone, email, district!, preferences!.Value, desiredStart!.Value,
            claims, kind, channel, null);
    }

    private static void LimitLength(JsonFields f, string path, string value, int max)
    {
        if (value.Length > max) f.Add(path, "field.too-long", $"At most {max} characters.");
    }

    /// <summary>The private record: canonical JSON so that its commitment can be recomputed by an auditor.</summary>
    public byte[] PrivateRecordBytes()
    {
        var w = new CanonicalJsonWriter(512);
        w.StartObject();
        w.Property("birthDate", Formats.Format(BirthDate));
        w.Key("child");
        w.StartObject();
        w.Property("name", ChildName);
        w.EndObject();
        w.Key("claims");
        w.StartArray();
        foreach (var c in Claims)
        {
            w.StartObject();
            w.Property("category", c.Category);
            w.PropertyOrNull("documents", c.Documents);
            w.PropertyOrNull("kindergarten", c.Kindergarten);
            w.EndObject();
        }
        w.EndArray();
        w.Key("parent");
        w.StartObject();
        w.PropertyOrNull("email", Email);
        w.Property("name", ParentName);
        w.PropertyOrNull("phone", Phone);
        w.EndObject();
        w.EndObject();
        return w.ToArray();
    }
}

/// <summary>The response to a submission; the access code is shown here once and never again.</summary>
public sealed record SubmissionResponse(string Number, string AccessCode, string RegisteredAt, long Seq);

/// <summary>
/// Submits an application: checks it against the criteria in force today, maps each claimed
/// category to its tier (the category stays private), and appends the public event together
/// with the private record in one transaction.
/// </summary>
public sealed class SubmitApplication : ICommand
{
    private readonly SubmissionInput input;
    private readonly string number;
    private readonly string accessCode;
    private readonly byte[] salt;
    private readonly string? owner;
    // What does not depend on the state is computed here, on the caller's thread, not in Decide:
    // Decide runs under the log's single writer lock.
    private readonly byte[] record;
    private readonly string commitment;
    private readonly byte[] accessHash;

    public SubmitApplication(string actor, string? idempotencyKey, SubmissionInput input, string number, string accessCode,
        byte[] salt, string? owner)
    {
        Actor = actor;
        IdempotencyKey = idempotencyKey;
        this.input = input;
        this.number = number;
        this.accessCode = accessCode;
        this.salt = salt;
        this.owner = owner;
        record = input.PrivateRecordBytes();
        commitment = Commitment.Compute(salt, record);
        accessHash = Secrets.HashAccessCode(salt, accessCode);
    }

    public string Actor { get; }
    public string? IdempotencyKey { get; }

    public CommandDecision Decide(QueueState state, Instant now)
    {
        var today = state.LocalDate(now);
        var criteria = state.CriteriaInForce(today);
        if (criteria is null)
            return CommandDecision.Refuse(Refusal.Conflict, new ValidationProblem("$", "application.no-criteria", $"No criteria are in force on {today:uuuu-MM-dd}; applications open when the department publishes them."));
        var problems = new List<ValidationProblem>();
        if (input.BirthDate > today) problems.Add(new("$.child.birthDate", "application.birth-future", "The birth date is in the future."));
        var claims = ImmutableArray.CreateBuilder<PriorityClaim>();
        for (var i = 0; i < input.Claims.Length; i++)
        {
            var c = input.Claims[i];
            var category = criteria.FindCategory(c.Category);
            if (category is null)
            {
                problems.Add(new($"$.claims[{i}].category", "application.unknown-category", $"Category '{c.Category}' is not in criteria {criteria.Version}."));
                continue;
            }
            var tier = criteria.FindTier(category.Tier)!;
            // Catchment follows from the district; it is never claimed.
            if (tier.Scope == TierScope.Catchment)
            {
                problems.Add(new($"$.claims[{i}].category", "application.catchment-not-claimed", "Living in a catchment needs no claim: it follows from the district."));
                continue;
            }
            claims.Add(new PriorityClaim(tier.Id, tier.Scope == TierScope.Sibling ? c.Kindergarten : null));
        }
        if (problems.Count > 0) return CommandDecision.Refuse(Refusal.Invalid, problems);
        var registeredAt = input.RegisteredAt ?? now;
        var e = new ApplicationSubmitted(number, input.Kind, input.Channel, registeredAt,
            new YearMonth(input.BirthDate.Year, input.BirthDate.Month), input.District, input.Preferences, input.DesiredStart,
            claims.ToImmutable(), commitment);
        // The rules speak of the public event; name the fields of the request instead.
        var submissionProblems = ApplicationRules.CheckSubmission(criteria, state, e, today, now)
            .Select(p => p with { Path = p.Path.Replace("$.birthMonth", "$.child.birthDate", StringComparison.Ordinal).Replace(".tier", ".category", StringComparison.Ordinal) })
            .ToList();
        if (submissionProblems.Count > 0)
            return CommandDecision.Refuse(submissionProblems.Any(p => p.Code == "application.duplicate-number") ? Refusal.Conflict : Refusal.Invalid, submissionProblems);
        var privateRecord = new PrivateRecord(number, salt, record, accessHash, owner, null);
        return CommandDecision.Append(e,
            seq => StoredJsonResult.Serialize(new SubmissionResponse(number, accessCode, Formats.Format(registeredAt), seq)),
            privateRecord);
    }
}
