using Heartbeat.Detector.Tracking;
using Heartbeat.ServiceDefaults;
using System.Diagnostics.Metrics;

namespace Heartbeat.Detector.Status;

/// <summary>
/// The detector's gauges, read on each scrape from what it already holds: machines by status (the board the API
/// serves, so the metric and the dashboard agree), and the tracker's lag — how far behind now the moment is up to
/// which every stored heartbeat has been read (what deadlines are judged against). Only the leader judges, so only
/// the leader reports a lag.
/// </summary>
public sealed class FleetMetrics(MachineBoard board, Fleet fleet, Leadership.Leadership leadership, TimeProvider clock) : IHostedService
{
    public Task StartAsync(CancellationToken ct)
    {
        HeartbeatTelemetry.ObserveMachines(MachinesByStatus);
        HeartbeatTelemetry.ObserveTrackerLag(TrackerLag);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;

    private IEnumerable<Measurement<long>> MachinesByStatus()
    {
        var snapshot = board.Current;
        if (!snapshot.Loaded) yield break;
        foreach (var group in snapshot.Machines.GroupBy(m => m.Status))
            yield return new Measurement<long>(group.Count(), new KeyValuePair<string, object?>("status", group.Key));
    }

    private IEnumerable<Measurement<double>> TrackerLag()
    {
        if (!leadership.IsLeader || fleet.KnownUntil == DateTimeOffset.MinValue) yield break;
        yield return new Measurement<double>(Math.Max(0, (clock.GetUtcNow() - fleet.KnownUntil).TotalSeconds));
    }
}
