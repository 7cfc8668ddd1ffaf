using Heartbeat.Detector.Tracking;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Heartbeat.Detector.Detection;

/// <summary>
/// Ready only while the detector is actually judging: its memory is loaded and it has caught up with
/// the heartbeats in the store recently. A stalled tracker stops alerts (silence it has not read is no
/// evidence), so it must show here rather than pass for a quiet fleet.
/// </summary>
public sealed class DetectionHealthCheck(Fleet fleet, TimeProvider clock) : IHealthCheck
{
    public static readonly TimeSpan MaxLag = TimeSpan.FromSeconds(10);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (!fleet.Loaded.IsCompleted)
            return Task.FromResult(HealthCheckResult.Unhealthy("The fleet's memory is still being loaded."));
        if (fleet.KnownUntil == DateTimeOffset.MinValue)
            return Task.FromResult(HealthCheckResult.Unhealthy("The tracker has not yet caught up with the heartbeats in the store."));
        var lag = clock.GetUtcNow() - fleet.KnownUntil;
        return Task.FromResult(lag <= MaxLag
            ? HealthCheckResult.Healthy($"{fleet.Count} machines tracked")
            : HealthCheckResult.Unhealthy($"Heartbeats are read {lag.TotalSeconds:F0} s behind; no machine is judged offline until the tracker catches up."));
    }
}
