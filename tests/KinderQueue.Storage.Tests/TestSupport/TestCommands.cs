using System.Text;
using KinderQueue.Core;
using KinderQueue.Core.Events;
using KinderQueue.Storage.Appending;
using NodaTime;

namespace KinderQueue.Storage.Tests.TestSupport;

/// <summary>Commands as the API would send them, built from <see cref="DelegateCommand"/>.</summary>
internal static class TestCommands
{
    // Every decision makes a response that differs from any earlier one (like a fresh access code), so a
    // replay can only return identical bytes if it returns the stored first response.
    private static long _responses;

    public static byte[] Response(string what, long seq) =>
        Encoding.UTF8.GetBytes($"{{\"what\":\"{what}\",\"seq\":{seq},\"nonce\":{Interlocked.Increment(ref _responses)}}}");

    /// <summary>Appends <paramref name="e"/> as it is (criteria get their effective date from the decision time).</summary>
    public static ICommand Publish(LogEvent e, string actor = Region.Staff, string? key = null) =>
        new DelegateCommand(actor, key, (_, now) =>
        {
            var ev = e is CriteriaPublished ? Region.Criteria(now) : e;
            return CommandDecision.Append(ev, seq => Response(ev.Type, seq));
        });

    public static IEnumerable<ICommand> Setup() => Region.Setup(Region.Start).Select(e => Publish(e));

    /// <summary>Submits an application with its private record; the fold refuses a number that exists.</summary>
    public static ICommand Submit(string number, string? key = null, int variant = 0, string actor = Region.Parent) =>
        new DelegateCommand(actor, key, (_, now) =>
        {
            var (e, record) = Region.Application(number, now, variant);
            return CommandDecision.Append(e, seq => Response(number, seq), record);
        });

    public static ICommand Withdraw(string number, string? key = null) =>
        new DelegateCommand(Region.Parent, key, (_, _) =>
            CommandDecision.Append(new ApplicationWithdrawn(number, "parent-request"), seq => Response("withdrawn " + number, seq)));

    public static ICommand ReviewClaim(string number, int claim, bool verified) =>
        new DelegateCommand(Region.Staff, null, (_, _) =>
            CommandDecision.Append(new ClaimReviewed(number, claim, verified, verified ? "document-confirmed" : "document-missing"),
                seq => Response("reviewed " + number, seq)));

    /// <summary>A command that refuses itself, as the API does for invalid input.</summary>
    public static ICommand Invalid(string? key = null) =>
        new DelegateCommand(Region.Parent, key, (_, _) =>
            CommandDecision.Refuse(Refusal.Invalid, new ValidationProblem("$.preferences", "application.no-preferences", "List at least one kindergarten.")));

    /// <summary>Blocks the writer loop inside Decide until released, so that later commands queue up into one batch.</summary>
    public static ICommand Blocker(LogEvent e, TaskCompletionSource entered, ManualResetEventSlim release) =>
        new DelegateCommand(Region.Staff, null, (_, _) =>
        {
            entered.TrySetResult();
            if (!release.Wait(Wait.Long)) throw new TimeoutException("The blocker was never released.");
            return CommandDecision.Append(e, seq => Response(e.Type, seq));
        });
}
