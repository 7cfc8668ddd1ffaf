using System.Diagnostics.CodeAnalysis;
using Heartbeat.Contracts.Events;
using Heartbeat.ServiceDefaults.Machines;

namespace Heartbeat.Prober.Targets;

/// <summary>
/// What the prober knows of one machine: its <see cref="MachineState"/> — the probe (if any), whether it is paused or
/// retired, the host key pinned on first contact and the last probe error (so a repeated error is not appended again).
/// Kept for every machine, probed or not, so a settings change can add a probe later. Its own document type, so the
/// prober's schema holds its targets apart from any other read model.
/// </summary>
public sealed record ProbeTarget : MachineState
{
    public ProbeTarget() { }

    [SetsRequiredMembers]
    private ProbeTarget(MachineState state) : base(state) { }

    public static new ProbeTarget Create(MachineRegistered e) => new(MachineState.Create(e));

    /// <summary>
    /// Folds a followed event in. The prober follows only <see cref="FollowedEvents"/> and never appends against a
    /// stream version, so the version is left as it is.
    /// </summary>
    public ProbeTarget Apply(object @event) => (ProbeTarget)Apply(@event, Version);

    /// <summary>The machine-stream events the prober follows.</summary>
    public static readonly Type[] FollowedEvents =
    [
        typeof(MachineRegistered), typeof(MachineSettingsChanged), typeof(MonitoringPaused), typeof(MonitoringResumed),
        typeof(MachineRetired), typeof(ProbeHostKeyPinned), typeof(ProbeFailed), typeof(ProbeRecovered),
    ];
}
