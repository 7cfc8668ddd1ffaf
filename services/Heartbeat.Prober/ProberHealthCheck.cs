using Heartbeat.Prober.Scheduling;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Heartbeat.Prober;

/// <summary>Says whether this instance is the one probing (and how many machines) or a standby; both are ready.</summary>
public sealed class ProberHealthCheck(ProberLeadership leadership, ProbeSchedule schedule) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(HealthCheckResult.Healthy(leadership.IsLeader
            ? $"probing {schedule.ProbedCount} machines"
            : "standby: another prober holds the prober lock"));
}
