using System.Collections.Immutable;
using System.Text.Json;
using KinderQueue.Core.Encoding;
using KinderQueue.Core.Signals;
using NodaTime;

namespace KinderQueue.Core.Criteria;

/// <summary>Reads and writes the criteria document (SPEC.md §4.1). Reading also validates.</summary>
public static class CriteriaJson
{
    public static Parsed<CriteriaDocument> Parse(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var doc = CanonicalJson.ParseInput(json);
            return Read(doc.RootElement, "$");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Parsed<CriteriaDocument>.Fail("$", "json.malformed", $"Not valid JSON: {ex.Message}");
        }
    }

    /// <summary>Reads a criteria document at <paramref name="path"/> and validates it.</summary>
    public static Parsed<CriteriaDocument> Read(JsonElement root, string path)
    {
        var f = new JsonFields();
        if (!f.WithinDepth(root, path) || !f.IsObject(root, path)) return Parsed<CriteriaDocument>.Fail(f.Problems);
        var version = f.String(root, path, "version");
        var effectiveFrom = f.Date(root, path, "effectiveFrom");
        var timeZone = f.String(root, path, "timeZone");
        var maxPreferences = f.Integer(root, path, "maxPreferences", 1, 20);
        AgeRule? ageRule = null;
        if (f.TryGet(root, path, "ageRule", out var ar) && f.IsObject(ar, $"{path}.ageRule"))
        {
            var p = $"{path}.ageRule";
            var month = f.Integer(ar, p, "cutoffMonth", 1, 12);
            var day = f.Integer(ar, p, "cutoffDay", 1, 31);
            var archive = f.Integer(ar, p, "archiveAge", 1, 25);
            var groups = f.Array(ar, p, "groups", (e, gp) =>
            {
                if (!f.IsObject(e, gp)) return null;
                var id = f.String(e, gp, "id");
                var min = f.Integer(e, gp, "minAge", 0, 25);
                var max = f.Integer(e, gp, "maxAge", 0, 25);
                var name = ReadName(f, e, gp);
                return id is null || min is null || max is null || name is null ? null : new AgeGroup(id, (int)min, (int)max, name);
            });
            if (month is not null && day is not null && archive is not null && groups is not null)
                ageRule = new AgeRule((int)month, (int)day, (int)archive, groups.Value);
        }
        var tiers = f.Array(root, path, "tiers", (e, tp) =>
        {
            if (!f.IsObject(e, tp)) return null;
            var id = f.String(e, tp, "id");
            var scopeText = f.String(e, tp, "scope");
            var name = ReadName(f, e, tp);
            TierScope? scope = scopeText switch
            {
                "all" => TierScope.All,
                "sibling" => TierScope.Sibling,
                "catchment" => TierScope.Catchment,
                null => null,
                _ => null,
            };
            if (scopeText is not null && scope is null)
                f.Add($"{tp}.scope", "criteria.unknown-scope", $"Scope '{scopeText}' is not one of all, sibling, catchment.");
            return id is null || scope is null || name is null ? null : new PriorityTier(id, scope.Value, name);
        });
        var categories = f.Array(root, path, "categories", (e, cp) =>
        {
            if (!f.IsObject(e, cp)) return null;
            var id = f.String(e, cp, "id");
            var tier = f.String(e, cp, "tier");
            var name = ReadName(f, e, cp);
            // Read without 'required' so the validator can report the specific rule it breaks.
            var basis = f.String(e, cp, "legalBasis", required: false) ?? "";
            return id is null || tier is null || name is null ? null : new PriorityCategory(id, tier, name, basis);
        });
        OfferRules? offer = null;
        if (f.TryGet(root, path, "offer", out var of) && f.IsObject(of, $"{path}.offer"))
        {
            var p = $"{path}.offer";
            var days = f.Integer(of, p, "deadlineDays", 1, 90);
            var onDecline = ReadOutcome(f, of, p, "onDecline");
            var onExpiry = ReadOutcome(f, of, p, "onExpiry");
            if (days is not null && onDecline is not null && onExpiry is not null)
                offer = new OfferRules((int)days, onDecline.Value, onExpiry.Value);
        }
        ReasonCodes? reasons = null;
        // Optional: criteria written before the code lists (SPEC.md §4.6) have no 'reasons' member.
        if (f.TryGet(root, path, "reasons", out var rs, required: false) && f.IsObject(rs, $"{path}.reasons"))
        {
            var p = $"{path}.reasons";
            ImmutableArray<PublishedCode> List(ReasonList list) => f.Array(rs, p, ReasonCodes.Member(list), (e, ep) =>
            {
                if (!f.IsObject(e, ep)) return null;
                var id = f.String(e, ep, "id");
                var name = ReadName(f, e, ep);
                return id is null || name is null ? null : new PublishedCode(id, name);
            }) ?? [];
            // Optional inside 'reasons': lists written before signal reviews (SPEC.md §17.6) stay as they were.
            ImmutableArray<PublishedCode>? outcomes = rs.ValueKind == JsonValueKind.Object && rs.TryGetProperty(ReasonCodes.Member(ReasonList.SignalOutcome), out _)
                ? List(ReasonList.SignalOutcome)
                : null;
            reasons = new ReasonCodes(List(ReasonList.Capacity), List(ReasonList.ClaimReview), List(ReasonList.ExceptionalBasis), List(ReasonList.Withdrawal), outcomes);
        }
        SignalThresholds? signals = null;
        // Optional: criteria without thresholds raise no anomaly signals (SPEC.md §17.2).
        if (f.TryGet(root, path, "signals", out var sg, required: false))
        {
            var read = SignalThresholds.Read(sg, $"{path}.signals");
            foreach (var problem in read.Problems) f.Add(problem.Path, problem.Code, problem.Message);
            signals = read.Value;
        }
        if (f.HasProblems) return Parsed<CriteriaDocument>.Fail(f.Problems);
        var document = new CriteriaDocument(version!, effectiveFrom!.Value, timeZone!, (int)maxPreferences!, ageRule!,
            tiers!.Value, categories!.Value, offer!, reasons, signals);
        var problems = CriteriaValidator.Validate(document, path);
        return problems.Count > 0 ? Parsed<CriteriaDocument>.Fail(problems) : Parsed<CriteriaDocument>.Ok(document);
    }

    public static byte[] ToCanonicalBytes(CriteriaDocument c)
    {
        var w = new CanonicalJsonWriter(2048);
        Write(w, c);
        return w.ToArray();
    }

    /// <summary>Canonical form: keys in byte order, exactly the fields above.</summary>
    public static void Write(CanonicalJsonWriter w, CriteriaDocument c)
    {
        w.StartObject();
        w.Key("ageRule");
        w.StartObject();
        w.Property("archiveAge", c.AgeRule.ArchiveAge);
        w.Property("cutoffDay", c.AgeRule.CutoffDay);
        w.Property("cutoffMonth", c.AgeRule.CutoffMonth);
        w.Key("groups");
        w.StartArray();
        foreach (var g in c.AgeRule.Groups)
        {
            w.StartObject();
            w.Property("id", g.Id);
            w.Property("maxAge", g.MaxAge);
            w.Property("minAge", g.MinAge);
            WriteName(w, g.Name);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
        w.Key("categories");
        w.StartArray();
        foreach (var cat in c.Categories)
        {
            w.StartObject();
            w.Property("id", cat.Id);
            w.Property("legalBasis", cat.LegalBasis);
            WriteName(w, cat.Name);
            w.Property("tier", cat.Tier);
            w.EndObject();
        }
        w.EndArray();
        w.Property("effectiveFrom", Formats.Format(c.EffectiveFrom));
        w.Property("maxPreferences", c.MaxPreferences);
        w.Key("offer");
        w.StartObject();
        w.Property("deadlineDays", c.Offer.DeadlineDays);
        w.Property("onDecline", OutcomeText(c.Offer.OnDecline));
        w.Property("onExpiry", OutcomeText(c.Offer.OnExpiry));
        w.EndObject();
        if (c.Reasons is { } reasons)
        {
            w.Key("reasons");
            w.StartObject();
            foreach (var list in (ReadOnlySpan<ReasonList>)[ReasonList.Capacity, ReasonList.ClaimReview, ReasonList.ExceptionalBasis, ReasonList.SignalOutcome, ReasonList.Withdrawal])
            {
                if (list == ReasonList.SignalOutcome && reasons.SignalOutcomes is null) continue;
                w.Key(ReasonCodes.Member(list));
                w.StartArray();
                foreach (var code in reasons.Of(list))
                {
                    w.StartObject();
                    w.Property("id", code.Id);
                    WriteName(w, code.Name);
                    w.EndObject();
                }
                w.EndArray();
            }
            w.EndObject();
        }
        if (c.Signals is { } signals)
        {
            w.Key("signals");
            signals.Write(w);
        }
        w.Key("tiers");
        w.StartArray();
        foreach (var t in c.Tiers)
        {
            w.StartObject();
            w.Property("id", t.Id);
            WriteName(w, t.Name);
            w.Property("scope", ScopeText(t.Scope));
            w.EndObject();
        }
        w.EndArray();
        w.Property("timeZone", c.TimeZone);
        w.Property("version", c.Version);
        w.EndObject();
    }

    public static string ScopeText(TierScope s) => s switch
    {
        TierScope.All => "all",
        TierScope.Sibling => "sibling",
        TierScope.Catchment => "catchment",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    public static string OutcomeText(OfferOutcome o) => o switch
    {
        OfferOutcome.Requeue => "requeue",
        OfferOutcome.Pause => "pause",
        OfferOutcome.Withdraw => "withdraw",
        _ => throw new ArgumentOutOfRangeException(nameof(o)),
    };

    private static void WriteName(CanonicalJsonWriter w, LocalizedName name)
    {
        w.Key("name");
        w.StartObject();
        w.Property("en", name.En);
        w.Property("ru", name.Ru);
        w.EndObject();
    }

    private static LocalizedName? ReadName(JsonFields f, JsonElement e, string path)
    {
        if (!f.TryGet(e, path, "name", out var n) || !f.IsObject(n, $"{path}.name")) return null;
        var ru = f.String(n, $"{path}.name", "ru");
        var en = f.String(n, $"{path}.name", "en");
        return ru is null || en is null ? null : new LocalizedName(ru, en);
    }

    private static OfferOutcome? ReadOutcome(JsonFields f, JsonElement e, string path, string name)
    {
        var text = f.String(e, path, name);
        OfferOutcome? o = text switch
        {
            "requeue" => OfferOutcome.Requeue,
            "pause" => OfferOutcome.Pause,
            "withdraw" => OfferOutcome.Withdraw,
            _ => null,
        };
        if (text is not null && o is null)
            f.Add($"{path}.{name}", "criteria.unknown-outcome", $"'{text}' is not one of requeue, pause, withdraw.");
        return o;
    }
}
