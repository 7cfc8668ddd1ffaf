namespace Heartbeat.Contracts.Events;

// Stored events about the platform itself, on one stream of their own (PlatformStream.Id).
// Change them only by adding optional members: old events must still load.

public static class PlatformStream
{
    /// <summary>The stream that records the platform's own incidents.</summary>
    public static readonly Guid Id = new("0b1a7f0e-0000-4000-8000-000000000001");
}

/// <summary>
/// The canary's heartbeats stopped reaching the detector: from <paramref name="Start"/> (the last canary
/// heartbeat that did, on the server clock) no silence counts against any machine.
/// </summary>
public sealed record IntakeInterrupted(Guid IncidentId, DateTimeOffset Start, string Cause, DateTimeOffset DetectedAt);

/// <summary>The canary's heartbeats arrive again; every deadline moved by <paramref name="Duration"/> plus the machine's expected interval.</summary>
public sealed record IntakeRestored(Guid IncidentId, DateTimeOffset Start, DateTimeOffset End, TimeSpan Duration, string Cause);
