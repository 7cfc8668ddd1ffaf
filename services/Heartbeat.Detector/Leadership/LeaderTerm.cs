using Heartbeat.Detector.Canary;
using Heartbeat.Detector.Detection;
using Heartbeat.Detector.Platform;
using Heartbeat.Detector.Tracking;
using System.Diagnostics;
using JasperFx.Events.Daemon;
using Marten;
using Npgsql;

namespace Heartbeat.Detector.Leadership;

/// <summary>
/// Everything only the leader runs, for as long as it holds the lock: Marten's async daemon (the tracker, the
/// publisher and the status projection), the deadline watcher, the watchdog and the canary reaper. Memory is already
/// warm (<see cref="StandbyFollower"/>): the term brings it to the progress the last leader committed, which is where
/// the daemon resumes. When the term ends the daemon is stopped before the lock is let go, so two instances never
/// process the same events; memory then holds only what was committed, and following resumes from there.
/// </summary>
public sealed class LeaderTerm(
    IDocumentStore store,
    Fleet fleet,
    StandbyFollower follower,
    IntakeMonitor intake,
    NpgsqlDataSource dataSource,
    DeadlineWatcher watcher,
    Watchdog watchdog,
    CanaryReaper reaper,
    ReadAhead readAhead,
    ILogger<LeaderTerm> logger)
{
    /// <summary>How long a stopping daemon may take; past it the term ends anyway (its page rolls back and is redone).</summary>
    private static readonly TimeSpan StopDaemonWithin = TimeSpan.FromSeconds(5);

    public async Task RunAsync(CancellationToken ct)
    {
        var started = Stopwatch.StartNew();
        // What the tracker has read is established again in this term: the watcher's marks start afresh.
        fleet.KnownUntil = DateTimeOffset.MinValue;
        if (await follower.CatchUpForTermAsync(ct) is { } ahead) readAhead.Begin(ahead);
        var caughtUp = started.Elapsed;
        await intake.BeginTermAsync(store, dataSource, ct);
        var intakeBegun = started.Elapsed;
        using var term = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Judging starts on the read-ahead while the daemon starts; it needs the daemon only to go on past it.
        var judging = Task.WhenAll(watcher.RunAsync(term.Token), watchdog.RunAsync(term.Token), reaper.RunAsync(term.Token));
        IProjectionDaemon? daemon = null;
        try
        {
            daemon = await store.BuildProjectionDaemonAsync();
            await daemon.StartAllAsync();
            logger.LogInformation("Leadership term: memory at the last leader's progress in {CaughtUp} ms, intake watched from {Intake} ms, daemon started at {Started} ms",
                (int)caughtUp.TotalMilliseconds, (int)intakeBegun.TotalMilliseconds, (int)started.Elapsed.TotalMilliseconds);
            await judging;
        }
        finally
        {
            await term.CancelAsync();
            try { await judging; } catch (Exception) when (term.IsCancellationRequested) { }
            try
            {
                if (daemon is not null) await daemon.StopAllAsync().WaitAsync(StopDaemonWithin);
            }
            catch (Exception e)
            {
                logger.LogWarning("Stopping the projection daemon at the end of the term: {Error}", e.Message);
            }
            daemon?.Dispose();
            readAhead.End();
            intake.EndTerm();
        }
    }
}
