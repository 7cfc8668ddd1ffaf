namespace Heartbeat.Contracts.Messages;

// Integration messages published on RabbitMQ. They mirror the stored transition events and are
// published with MessageId = the stored event's id, so consumers can de-duplicate.

public sealed record MachineSnapshot
{
    public required Guid Id { get; init; }
    public required string Name { get; init; }
    public string? Hostname { get; init; }
    public string? Description { get; init; }
    /// <summary>The machine's tags when the transition was published, so channels and maintenance windows can select by tag. Absent from older publishers.</summary>
    public IReadOnlyList<string>? Tags { get; init; }
    /// <summary>The parent machine this one depends on (a switch, a host), if any.</summary>
    public Guid? DependsOn { get; init; }
    /// <summary>Monitoring was paused when the transition was published: a paused machine notifies nobody.</summary>
    public bool Paused { get; init; }
}

public sealed record MachineWentOffline
{
    public required MachineSnapshot Machine { get; init; }
    public required Guid EpisodeId { get; init; }
    public DateTimeOffset? LastSeenAt { get; init; }
    public required DateTimeOffset DetectedAt { get; init; }
    public required TimeSpan Threshold { get; init; }
    /// <summary>A past outage found after the fact (the detector was down or behind): tell it as history, not as a current outage.</summary>
    public bool DetectedLate { get; init; }
    /// <summary>
    /// Machines behind this one (<c>depends_on</c>, transitively), neither paused nor retired, that are silent too when it
    /// goes offline: offline already, or not heard from within their expected interval. Absent when none (or from older publishers).
    /// </summary>
    public int? DependentsUnreachable { get; init; }
}

public sealed record MachineWentOnline
{
    public required MachineSnapshot Machine { get; init; }
    public required Guid EpisodeId { get; init; }
    public required DateTimeOffset OfflineSince { get; init; }
    public required DateTimeOffset CameBackAt { get; init; }
    public required TimeSpan Downtime { get; init; }
    /// <summary>The end of a past outage found after the fact.</summary>
    public bool DetectedLate { get; init; }
}

/// <summary>A fresh heartbeat reported <c>warning</c> after the machine was fine: a warning spell begins (once per spell).</summary>
public sealed record MachineReportedWarning
{
    public required MachineSnapshot Machine { get; init; }
    public required Guid WarningId { get; init; }
    public required DateTimeOffset ReportedAt { get; init; }
    public string? Message { get; init; }
}

/// <summary>The machine reported <c>ok</c> again: the warning spell <see cref="WarningId"/> is over.</summary>
public sealed record MachineWarningCleared
{
    public required MachineSnapshot Machine { get; init; }
    public required Guid WarningId { get; init; }
    public required DateTimeOffset ClearedAt { get; init; }
    public string? Message { get; init; }
}
