namespace Heartbeat.Contracts.Messages;

// Integration messages about the platform itself, published on RabbitMQ from the stored IntakeInterrupted /
// IntakeRestored events with MessageId = the stored event's id, so consumers can de-duplicate.

/// <summary>
/// Heartbeat intake stopped working end to end (the canary's heartbeats stopped reaching the store) from
/// <see cref="Start"/>: meanwhile no machine is declared offline, since its silence proves nothing.
/// </summary>
public sealed record PlatformIncidentStarted
{
    public required Guid IncidentId { get; init; }
    public required DateTimeOffset Start { get; init; }
    public required string Cause { get; init; }
    public required DateTimeOffset DetectedAt { get; init; }
}

/// <summary>Intake works again: every machine's deadline moved by <see cref="Duration"/> plus its expected interval.</summary>
public sealed record PlatformIncidentEnded
{
    public required Guid IncidentId { get; init; }
    public required DateTimeOffset Start { get; init; }
    public required DateTimeOffset End { get; init; }
    public required TimeSpan Duration { get; init; }
    public required string Cause { get; init; }
}
