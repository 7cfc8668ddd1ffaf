using Heartbeat.Detector.Detection;
using Heartbeat.Detector.Platform;
using Heartbeat.Detector.Tracking;
using System.Diagnostics;
using Marten;
using Npgsql;

namespace Heartbeat.Detector.Leadership;

/// <summary>
/// Everything only the leader runs, for as long as it holds the lock: memory rebuilt from the store, Marten's async
/// daemon (the tracker, the publisher and the status projection), the deadline watcher and the watchdog. When the
/// term ends the daemon is stopped before the lock is let go, so two instances never process the same events.
/// </summary>
public sealed class LeaderTerm(
    IDocumentStore store,
    Fleet fleet,
    FleetLoader loader,
    IntakeMonitor intake,
    NpgsqlDataSource dataSource,
    DeadlineWatcher watcher,
    Watchdog watchdog,
    ILogger<LeaderTerm> logger)
{
    /// <summary>How long a stopping daemon may take; past it the term ends anyway (its page rolls back and is redone).</summary>
    private static readonly TimeSpan StopDaemonWithin = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        fleet.Reset();
        await loader.LoadAsync(ct);
        var loaded = started.Elapsed;
        await intake.BeginTermAsync(store, dataSource, ct);
        var daemon = await store.BuildProjectionDaemonAsync();
        try
        {
            await daemon.StartAllAsync();
            logger.LogInformation("Leadership term: memory loaded in {Loaded} ms, intake and daemon started in {Started} ms",
                (int)loaded.TotalMilliseconds, (int)started.Elapsed.TotalMilliseconds);
            await Task.WhenAll(watcher.RunAsync(ct), watchdog.RunAsync(ct));
        }
        finally
        {
            try
            {
                await daemon.StopAllAsync().WaitAsync(StopDaemonWithin);
            }
            catch (Exception e)
            {
                logger.LogWarning("Stopping the projection daemon at the end of the term: {Error}", e.Message);
            }
            daemon.Dispose();
            intake.EndTerm();
            fleet.Reset();
        }
    }
}
