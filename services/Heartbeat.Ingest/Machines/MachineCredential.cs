using Heartbeat.Contracts.Events;
using Marten.Events.Aggregation;

namespace Heartbeat.Ingest.Machines;

/// <summary>
/// What intake needs to accept a heartbeat: the machine's name, the digests of its token and of its ping key
/// (if it has one), and whether it is paused or retired.
/// </summary>
public sealed record MachineCredential(Guid Id, string Name, string TokenHash, bool Paused, bool Retired, string? PingKeyHash = null);

/// <summary>Inline: written in the same transaction as the registration, so a machine can send its first heartbeat at once.</summary>
public partial class MachineCredentialProjection : SingleStreamProjection<MachineCredential, Guid>
{
    public static MachineCredential Create(MachineRegistered e) => new(e.MachineId, e.Name, e.TokenHash, Paused: false, Retired: false);

    public static MachineCredential Apply(MachineSettingsChanged e, MachineCredential c) => c with { Name = e.Name ?? c.Name };

    public static MachineCredential Apply(MachineTokenRotated e, MachineCredential c) => c with { TokenHash = e.TokenHash };

    public static MachineCredential Apply(MonitoringPaused e, MachineCredential c) => c with { Paused = true };

    public static MachineCredential Apply(MonitoringResumed e, MachineCredential c) => c with { Paused = false };

    public static MachineCredential Apply(MachineRetired e, MachineCredential c) => c with { Retired = true, PingKeyHash = null };

    public static MachineCredential Apply(PingKeyIssued e, MachineCredential c) => c with { PingKeyHash = e.KeyHash };

    public static MachineCredential Apply(PingKeyRevoked e, MachineCredential c) => c with { PingKeyHash = null };
}
