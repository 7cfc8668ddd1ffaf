namespace Heartbeat.Contracts.Events;

public enum HeartbeatSource { Agent, Probe }

public enum ReportedStatus { Ok, Warning }

/// <summary>
/// One heartbeat. Heartbeats are not appended to the machine's stream but to a stream per group
/// commit, so each names its machine. <see cref="ReceivedAt"/> is the server's clock.
/// </summary>
public sealed record HeartbeatReceived(
    Guid MachineId,
    DateTimeOffset ReceivedAt,
    HeartbeatSource Source,
    string? AgentVersion,
    ReportedStatus Status,
    string? Message,
    IReadOnlyDictionary<string, double>? Metrics = null);
