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
