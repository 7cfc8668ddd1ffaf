using Heartbeat.Detector.Tracking;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Heartbeat.Detector.Detection;

/// <summary>
/// Ready while this instance does its part: a standby serves reads; a leader must actually be judging — its memory
/// loaded and caught up with the heartbeats in the store recently. A stalled tracker stops alerts (silence it has not
/// read is no evidence), so it must show here rather than pass for a quiet fleet. An intake interruption is reported
/// as degraded, not unhealthy: reads still work and must stay routed here.
/// </summary>
public sealed class DetectionHealthCheck(Fleet fleet, IntakeMonitor intake, Leadership.Leadership leadership, TimeProvider clock) : IHealthCheck
{
    public static readonly TimeSpan MaxLag = TimeSpan.FromSeconds(10);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (!leadership.IsLeader)
            return Task.FromResult(HealthCheckResult.Healthy("Standby: serving reads, ready to take over when the leader's lock frees."));
        // A leader that is still loading or catching up at the start of its term serves reads and will judge in
        // moments: degraded. One whose tracker has stalled is not ready.
        if (TrackerProblem(fleet, clock.GetUtcNow()) is { } problem)
            return Task.FromResult(leadership.JudgingSince is null ? HealthCheckResult.Degraded(problem) : HealthCheckResult.Unhealthy(problem));
        if (intake.Open is { } open)
            return Task.FromResult(HealthCheckResult.Degraded($"Intake interrupted since {open.Start:O} ({open.Cause}): no machine is judged offline until the canary arrives again."));
        return Task.FromResult(HealthCheckResult.Healthy($"Leader: {fleet.Count} machines tracked"));
    }

    /// <summary>Whether the leader is judging right now: the watchdog POSTs only then.</summary>
    public bool IsJudging() =>
        leadership.JudgingSince is not null && TrackerProblem(fleet, clock.GetUtcNow()) is null && intake.Open is null;

    private static string? TrackerProblem(Fleet fleet, DateTimeOffset now)
    {
        if (!fleet.Loaded.IsCompleted) return "The fleet's memory is still being loaded.";
        if (fleet.KnownUntil == DateTimeOffset.MinValue) return "The tracker has not yet caught up with the heartbeats in the store.";
        var lag = now - fleet.KnownUntil;
        return lag <= MaxLag ? null : $"Heartbeats are read {lag.TotalSeconds:F0} s behind; no machine is judged offline until the tracker catches up.";
    }
}
