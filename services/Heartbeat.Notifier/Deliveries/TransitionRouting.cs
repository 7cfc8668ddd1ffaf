using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Quiet;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>A channel as routing sees it: its id and what it asked for.</summary>
public sealed record RoutedChannel(Guid Id, ChannelRoute Route)
{
    public static RoutedChannel Of(Channel channel) => new(channel.Id, channel.Route());
}

/// <summary>
/// What becomes of one transition for one channel: a pending delivery, or a suppressed one with its reason. A
/// maintenance suppression remembers the window and when its occurrence ends (<see cref="QuietUntil"/>), so that
/// the machine, if still offline then, is told once (<see cref="MaintenanceEnd"/>).
/// </summary>
public sealed record RoutedDelivery(int Transition, Guid ChannelId, string? Reason, string? Detail, Guid? WindowId, DateTimeOffset? QuietUntil);

public static class TransitionRouting
{
    public static MachineFacts Facts(Notification n) =>
        new(n.Machine.Id, n.Machine.Name, n.Machine.Tags ?? [], n.Machine.DependsOn, n.Machine.Paused);

    /// <summary>
    /// Every (transition, channel) pair with the quiet rules' decision, judged at the moment the transition happened
    /// (so a transition handled late, after a broker outage, is judged by the windows that held when it happened).
    /// <paramref name="flapping"/>: whether the transition at an index is part of a flapping episode (<see cref="FlappingEpisodes"/>).
    /// </summary>
    public static List<RoutedDelivery> Route(
        IReadOnlyList<Notification> transitions, IReadOnlyList<RoutedChannel> channels, IReadOnlyList<MaintenanceWindow> windows,
        Func<Guid, MachineFacts?> findMachine, Func<Guid, bool> isOffline, Func<int, bool>? flapping = null)
    {
        var routed = new List<RoutedDelivery>(transitions.Count * channels.Count);
        for (var i = 0; i < transitions.Count; i++)
        {
            var n = transitions[i];
            var machine = Facts(n);
            var context = new QuietContext(n.OccurredAt, windows, findMachine, isOffline, Flapping: flapping?.Invoke(i) ?? false);
            foreach (var channel in channels)
            {
                var decision = QuietRules.Decide(n.Event, machine, channel.Route, context);
                if (decision.Send)
                {
                    routed.Add(new RoutedDelivery(i, channel.Id, null, null, null, null));
                    continue;
                }
                var window = decision.Reason == SuppressionReasons.Maintenance ? windows.First(w => w.Covers(machine, n.OccurredAt)) : null;
                routed.Add(new RoutedDelivery(i, channel.Id, decision.Reason, decision.Detail, window?.Id, window?.ActiveAt(n.OccurredAt)?.End));
            }
        }
        return routed;
    }
}
