namespace Heartbeat.Notifier.Quiet;

/// <summary>A channel's preferences: which machines and which kinds of notification it receives.</summary>
public sealed record ChannelRoute(MachineSelector Machines, IReadOnlySet<string> Events)
{
    public static readonly ChannelRoute Default = new(MachineSelector.All, NotificationEvents.Default);

    /// <summary>Fleet-wide notifications (digests, platform incidents) name no machine: only the event filter applies.</summary>
    public bool Wants(string @event, MachineFacts? machine) =>
        Events.Contains(@event) && (machine is null || Machines.Matches(machine));
}
