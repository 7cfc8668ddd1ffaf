namespace Heartbeat.Detector.Canary;

/// <summary>
/// A canary machine some detector instance registered and sends for, so the leader knows which machines'
/// heartbeats prove intake. Holds no token: each instance keeps its canary's token in memory only.
/// </summary>
public sealed record CanaryMachine(Guid Id, string Instance, DateTimeOffset RegisteredAt)
{
    /// <summary>
    /// The reserved tag a canary is registered with: it marks the machine as the platform's own, so every user-facing
    /// list, count, stream, status page and badge leaves it out.
    /// </summary>
    public const string Tag = "platform-canary";
}
