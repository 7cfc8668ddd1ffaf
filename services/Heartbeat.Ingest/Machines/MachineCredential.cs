using Heartbeat.Contracts.Events;
using Marten.Events.Aggregation;

namespace Heartbeat.Ingest.Machines;

/// <summary>What intake needs to accept a heartbeat: the machine's name, token digest, and whether it is retired.</summary>
public sealed record MachineCredential(Guid Id, string Name, string TokenHash, bool Paused, bool Retired);

/// <summary>Inline: written in the same transaction as the registration, so a machine can send its first heartbeat at once.</summary>
public partial class MachineCredentialProjection : SingleStreamProjection<MachineCredential, Guid>
{
    public static MachineCredential Create(MachineRegistered e) => new(e.MachineId, e.Name, e.TokenHash, Paused: false, Retired: false);

    public static MachineCredential Apply(MachineSettingsChanged e, MachineCredential c) => c with { Name = e.Name ?? c.Name };

    public static MachineCredential Apply(MachineTokenRotated e, MachineCredential c) => c with { TokenHash = e.TokenHash };

    public static MachineCredential Apply(MonitoringPaused e, MachineCredential c) => c with { Paused = true };

    public static MachineCredential Apply(MonitoringResumed e, MachineCredential c) => c with { Paused = false };

    public static MachineCredential Apply(MachineRetired e, MachineCredential c) => c with { Retired = true };
}
