using Refit;

namespace Heartbeat.Contracts.Http;

/// <summary>
/// One interruption of intake: while it lasted no machine was judged offline. <see cref="EndedAt"/> is null while
/// it is still going on. Times are the server clock of the canary heartbeats that bound it.
/// </summary>
public sealed record IntakeIncidentView(
    Guid Id,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    double? DurationSeconds,
    string Cause,
    DateTimeOffset DetectedAt);

/// <summary>One detector instance's part: leader or standby, since when it leads and judges, and the open intake interruption if any.</summary>
public sealed record DetectionView(string Role, DateTimeOffset? LeaderSince, DateTimeOffset? JudgingSince, int ProcessId, IntakeIncidentView? OpenIncident);

public interface IPlatformApi
{
    /// <summary>Intake interruptions, newest first.</summary>
    [Get("/api/platform/incidents")]
    Task<IApiResponse<IReadOnlyList<IntakeIncidentView>>> Incidents(CancellationToken ct = default);

    /// <summary>The answering detector instance's role.</summary>
    [Get("/api/platform/detection")]
    Task<IApiResponse<DetectionView>> Detection(CancellationToken ct = default);
}
