namespace Heartbeat.Notifier.Quiet;

/// <summary>What becomes of one transition for one channel.</summary>
public sealed record QuietDecision(bool Send, string? Reason = null, string? Detail = null)
{
    public static readonly QuietDecision SendIt = new(true);
    public static QuietDecision Suppress(string reason, string? detail = null) => new(false, reason, detail);
}

/// <summary>Everything the rules consult about the moment a transition happened.</summary>
public sealed record QuietContext(
    DateTimeOffset At,
    IReadOnlyList<MaintenanceWindow> Windows,
    Func<Guid, MachineFacts?> FindMachine,
    Func<Guid, bool> IsOffline,
    bool Flapping);

/// <summary>
/// The order in which the rules apply, each a pure decision: a paused machine notifies nobody; a channel gets
/// only what it asked for; a maintenance window silences (and its end tells what is still down); an outage
/// behind an offline parent is told in the parent's notification; and a flapping machine is told once that it
/// flaps. A storm is judged after these, across the fleet and in the database (<see cref="Deliveries.StormMerge"/>).
/// </summary>
public static class QuietRules
{
    public static QuietDecision Decide(string @event, MachineFacts machine, ChannelRoute route, QuietContext context)
    {
        if (machine.Paused) return QuietDecision.Suppress(SuppressionReasons.Paused);
        if (!route.Wants(@event, machine)) return QuietDecision.Suppress(SuppressionReasons.Preference);
        if (context.Windows.FirstOrDefault(w => w.Covers(machine, context.At)) is { } window)
            return QuietDecision.Suppress(SuppressionReasons.Maintenance, $"maintenance window {window.Id}");
        if (@event == NotificationEvents.Offline
            && Dependencies.OfflineAncestor(machine, context.FindMachine, context.IsOffline) is { } parent)
            return QuietDecision.Suppress(SuppressionReasons.Dependency, $"behind offline machine {context.FindMachine(parent)?.Name ?? parent.ToString()}");
        if (context.Flapping) return QuietDecision.Suppress(SuppressionReasons.Flapping);
        return QuietDecision.SendIt;
    }

    /// <summary>
    /// When a window ends, a covered machine that is still offline is told once — unless its outage was already
    /// told before the window began (then nothing changed for the people who were told).
    /// </summary>
    public static bool TellAtWindowEnd(bool stillOffline, DateTimeOffset? offlineSince, DateTimeOffset windowStart) =>
        stillOffline && offlineSince is { } since && since >= windowStart;
}
