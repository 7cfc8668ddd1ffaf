using Heartbeat.Contracts.Http;

namespace Heartbeat.Cli;

/// <summary>Pure rules for what the fleet listing says and exits with.</summary>
public static class FleetHealth
{
    /// <summary>2 when any machine is offline, else 1 when any is late or warning, else 0 (new and paused are fine).</summary>
    public static int ExitCode(IEnumerable<MachineView> machines)
    {
        var statuses = machines.Select(m => m.Status).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (statuses.Contains("offline")) return ExitCodes.Critical;
        if (statuses.Contains("late") || statuses.Contains("warning")) return ExitCodes.Warning;
        return ExitCodes.Ok;
    }

    /// <summary>"3 machines: 1 offline, 2 online", worst first.</summary>
    public static string Summary(IReadOnlyCollection<MachineView> machines)
    {
        string[] order = ["offline", "late", "warning", "online", "new", "paused"];
        var counts = machines.GroupBy(m => m.Status.ToLowerInvariant())
            .OrderBy(g => Array.IndexOf(order, g.Key) is var i and >= 0 ? i : order.Length)
            .Select(g => $"{g.Count()} {g.Key}");
        return $"{machines.Count} machine{(machines.Count == 1 ? "" : "s")}" + (machines.Count > 0 ? ": " + string.Join(", ", counts) : "");
    }

    /// <summary>How long ago, as people say it: 12s, 4m, 3h, 2d; "never" when the machine has not sent.</summary>
    public static string Age(DateTimeOffset? lastSeen, DateTimeOffset now)
    {
        if (lastSeen is not { } seen) return "never";
        var age = now - seen;
        if (age < TimeSpan.Zero) age = TimeSpan.Zero;
        return age.TotalSeconds < 60 ? $"{age.TotalSeconds:0}s"
            : age.TotalMinutes < 60 ? $"{age.TotalMinutes:0}m"
            : age.TotalHours < 48 ? $"{age.TotalHours:0}h"
            : $"{age.TotalDays:0}d";
    }

    /// <summary>Seconds as the shortest whole unit: 120 → 2m, 90 → 90s, 7200 → 2h.</summary>
    public static string Duration(int seconds) =>
        seconds % 3600 == 0 ? $"{seconds / 3600}h" : seconds % 60 == 0 ? $"{seconds / 60}m" : $"{seconds}s";

    /// <summary>The lines `heartbeat watch` prints: one per machine whose status changed, appeared or went away.</summary>
    public static IReadOnlyList<string> Changes(IReadOnlyDictionary<Guid, MachineView> before, IReadOnlyList<MachineView> after)
    {
        var lines = new List<string>();
        foreach (var machine in after)
        {
            if (!before.TryGetValue(machine.Id, out var old)) lines.Add($"{machine.Name}: {machine.Status}");
            else if (!string.Equals(old.Status, machine.Status, StringComparison.OrdinalIgnoreCase))
                lines.Add($"{machine.Name}: {old.Status} -> {machine.Status}" + (machine.Message is { Length: > 0 } m && machine.Status == "warning" ? $" ({m})" : ""));
        }
        var present = after.Select(m => m.Id).ToHashSet();
        lines.AddRange(before.Values.Where(m => !present.Contains(m.Id)).Select(m => $"{m.Name}: removed"));
        return lines;
    }
}
