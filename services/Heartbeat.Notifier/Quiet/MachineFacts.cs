namespace Heartbeat.Notifier.Quiet;

/// <summary>What the quiet rules need to know of a machine.</summary>
public sealed record MachineFacts(Guid Id, string Name, IReadOnlyList<string> Tags, Guid? DependsOn = null, bool Paused = false);

/// <summary>Which machines something applies to: all (nothing named), by id, or by tag (any of them).</summary>
public sealed record MachineSelector(IReadOnlyList<Guid>? Ids = null, IReadOnlyList<string>? Tags = null)
{
    public static readonly MachineSelector All = new();

    public bool IsAll => Ids is not { Count: > 0 } && Tags is not { Count: > 0 };

    public bool Matches(MachineFacts machine) =>
        IsAll
        || Ids?.Contains(machine.Id) == true
        || Tags?.Any(t => machine.Tags.Contains(t, StringComparer.OrdinalIgnoreCase)) == true;
}
