using Heartbeat.Contracts.Events;

namespace Heartbeat.Prober.Targets;

/// <summary>
/// What the prober knows of one machine, folded from its stream: its probe (if any), whether it is paused or
/// retired, the host key pinned on first contact and the last probe error (so a repeated error is not appended again).
/// Kept for every machine, probed or not, so a settings change can add a probe later.
/// </summary>
public sealed record ProbeTarget
{
    public required Guid Id { get; init; }
    public required string Name { get; init; }
    public ProbeSettings? Probe { get; init; }
    public bool Paused { get; init; }
    public bool Retired { get; init; }
    public string? PinnedHostKey { get; init; }
    public string? LastProbeError { get; init; }

    /// <summary>Only machines with a probe that are neither paused nor retired are probed.</summary>
    public bool IsProbed => Probe is not null && !Paused && !Retired;

    public static ProbeTarget Create(MachineRegistered e) => new() { Id = e.MachineId, Name = e.Name, Probe = e.Probe };

    public ProbeTarget Apply(object @event) => @event switch
    {
        // A probe sent again (even unchanged) forgets the pinned host key: that is how an operator accepts a new key.
        MachineSettingsChanged e => this with
        {
            Name = e.Name ?? Name,
            Probe = e.Probe ?? Probe,
            PinnedHostKey = e.Probe is null ? PinnedHostKey : null,
            LastProbeError = e.Probe is null ? LastProbeError : null,
        },
        MonitoringPaused => this with { Paused = true },
        MonitoringResumed => this with { Paused = false },
        MachineRetired => this with { Retired = true },
        ProbeHostKeyPinned e => this with { PinnedHostKey = e.Fingerprint },
        ProbeFailed e => this with { LastProbeError = e.Error },
        ProbeRecovered => this with { LastProbeError = null },
        _ => this,
    };

    /// <summary>The machine-stream events the prober follows.</summary>
    public static readonly Type[] FollowedEvents =
    [
        typeof(MachineRegistered), typeof(MachineSettingsChanged), typeof(MonitoringPaused), typeof(MonitoringResumed),
        typeof(MachineRetired), typeof(ProbeHostKeyPinned), typeof(ProbeFailed), typeof(ProbeRecovered),
    ];
}
