namespace Heartbeat.Contracts.Events;

/// <summary>Where a heartbeat came from. Stored by name, so members can be added (other monitors feeding in) in any order.</summary>
public enum HeartbeatSource { Agent, Probe }

public enum ReportedStatus { Ok, Warning }

/// <summary>
/// One heartbeat, one event: how heartbeats were stored before <see cref="HeartbeatsReceived"/> (one event per
/// group commit). No longer written; kept so the events already stored still load and count.
/// </summary>
public sealed record HeartbeatReceived(
    Guid MachineId,
    DateTimeOffset ReceivedAt,
    HeartbeatSource Source,
    string? AgentVersion,
    ReportedStatus Status,
    string? Message,
    IReadOnlyDictionary<string, double>? Metrics = null);
