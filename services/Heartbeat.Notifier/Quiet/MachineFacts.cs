namespace Heartbeat.Notifier.Quiet;

/// <summary>What the quiet rules need to know of a machine.</summary>
public sealed record MachineFacts(Guid Id, string Name, IReadOnlyList<string> Tags, Guid? DependsOn = null, bool Paused = false);

/// <summary>The shared selector and windows, asked about a machine as the quiet rules know it.</summary>
public static class MachineFactsMatching
{
    public static bool Matches(this MachineSelector selector, MachineFacts machine) => selector.Matches(machine.Id, machine.Tags);

    public static bool Covers(this MaintenanceWindow window, MachineFacts machine, DateTimeOffset at) => window.Covers(machine.Id, machine.Tags, at);
}
