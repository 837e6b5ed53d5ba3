using KinderQueue.Core;
using KinderQueue.Core.Events;
using KinderQueue.Core.State;
using NodaTime;

namespace KinderQueue.Storage.Appending;

/// <summary>Why a command was refused; the API maps it to a status code.</summary>
public enum Refusal
{
    /// <summary>The input breaks a rule (400/422).</summary>
    Invalid,
    /// <summary>The input is valid but conflicts with the current state (409).</summary>
    Conflict,
    /// <summary>The thing it refers to does not exist (404).</summary>
    NotFound,
    /// <summary>The caller may not do this to this thing (403).</summary>
    Forbidden,
}

/// <summary>
/// What a command decided against the current state: one event to append (with the private
/// record it creates, if any, the federal portal's id of an application the portal sent, and the
/// response to give), or a refusal with its problems.
/// </summary>
public sealed record CommandDecision(
    LogEvent? Event,
    PrivateRecord? Record,
    Func<long, byte[]>? Response,
    Refusal Refusal,
    IReadOnlyList<ValidationProblem> Problems,
    NoteText? Note = null,
    Federal.FederalLink? Federal = null)
{
    public static CommandDecision Append(LogEvent e, Func<long, byte[]> response, PrivateRecord? record = null, NoteText? note = null) =>
        new(e, record, response, Refusal.Invalid, [], note);

    public static CommandDecision Refuse(Refusal refusal, params ValidationProblem[] problems) =>
        new(null, null, null, refusal, problems);

    public static CommandDecision Refuse(Refusal refusal, IReadOnlyList<ValidationProblem> problems) =>
        new(null, null, null, refusal, problems);
}

/// <summary>A free-text note to keep privately beside the appended entry (<see cref="PrivateNote"/>).</summary>
public sealed record NoteText(string? Number, string Text);

/// <summary>
/// A state-changing request. Decide must not change the state: it looks at the state as of
/// every earlier command (including earlier commands of the same batch) and returns a decision.
/// </summary>
public interface ICommand
{
    /// <summary>"role:pseudonym" recorded in the entry.</summary>
    string Actor { get; }

    /// <summary>Actor-scoped key; a repeated key returns the first response and appends nothing.</summary>
    string? IdempotencyKey { get; }

    CommandDecision Decide(QueueState state, Instant now);
}

/// <summary>What the caller of a command gets back.</summary>
public sealed record CommandResult(long? Seq, byte[]? Response, bool Replayed, Refusal? Refusal, IReadOnlyList<ValidationProblem> Problems)
{
    public bool Accepted => Refusal is null;

    public static CommandResult Appended(long seq, byte[] response) => new(seq, response, false, null, []);
    public static CommandResult Replay(StoredResponse r) => new(r.Seq, r.Response, true, null, []);
    public static CommandResult Refused(Refusal refusal, IReadOnlyList<ValidationProblem> problems) => new(null, null, false, refusal, problems);
}

/// <summary>A command built from a function; handy for staff commands and tests.</summary>
public sealed class DelegateCommand(string actor, string? idempotencyKey, Func<QueueState, Instant, CommandDecision> decide) : ICommand
{
    public string Actor { get; } = actor;
    public string? IdempotencyKey { get; } = idempotencyKey;
    public CommandDecision Decide(QueueState state, Instant now) => decide(state, now);
}
