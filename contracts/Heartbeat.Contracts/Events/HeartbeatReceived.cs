namespace Heartbeat.Contracts.Events;

/// <summary>Where a heartbeat came from. Stored by name, so members can be added (other monitors feeding in) in any order: the agent's endpoint, a probe, or a client written for another monitor (ping URLs).</summary>
public enum HeartbeatSource { Agent, Probe, Healthchecks, UptimeKuma, Opsgenie, Alertmanager }

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
