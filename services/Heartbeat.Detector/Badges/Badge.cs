namespace Heartbeat.Detector.Badges;

/// <summary>A public badge for one machine or for every machine with a tag; its id is random, so its URL cannot be guessed.</summary>
public sealed record Badge
{
    public required string Id { get; init; }
    public Guid? MachineId { get; init; }
    public string? Tag { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
