using Heartbeat.Detector.Detection;
using Heartbeat.Detector.Tracking;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartbeat.Detector.Leadership;

/// <summary>
/// Keeps a standby warm: its fleet memory follows the leader's tracker, so the board serves reads and a takeover
/// needs no reload. Strictly read-only — it never appends, stores or moves the tracker's progress — and it folds
/// only the events the leader's tracker has committed (up to its stored progress), in the tracker's own way
/// (<see cref="StandbyFold"/>). That keeps memory exactly what the tracker's documents say as of that progress, which
/// is where the daemon resumes when this instance takes over: nothing is folded twice, nothing skipped, and no
/// heartbeat the tracker has not read is taken for evidence by the watcher.
/// </summary>
public sealed class StandbyFollower(
    IDocumentStore store,
    NpgsqlDataSource dataSource,
    Fleet fleet,
    FleetLoader loader,
    IntakeMonitor intake,
    TimeProvider clock,
    IOptions<DetectorOptions> options,
    ILogger<StandbyFollower> logger)
{
    /// <summary>Events folded per read: each holds up to a group commit of heartbeats.</summary>
    private const int PageSize = 500;
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromSeconds(5);

    // Machines whose failed run the fold mirrored as offline before the leader's appended MachineWentOffline (with
    // the episode id the leader chose) was read: at a takeover their episode is taken from the tracker's document.
    private readonly HashSet<Guid> _unconfirmedEpisodes = [];

    /// <summary>Events read ahead per round at most; a longer backlog (a cold start after an outage) is left to the tracker.</summary>
    private const long MaxReadAhead = 10_000;
    // Read ahead of the leader's progress: the newest heartbeat proving alive per machine that memory does not hold
    // yet, how far that read went, and up to when it makes silence evidence (see ReadAhead).
    private readonly Dictionary<Guid, DateTimeOffset> _aliveAhead = [];
    private long _readThrough;
    private DateTimeOffset _aheadKnownUntil = DateTimeOffset.MinValue;

    /// <summary>
    /// Follows the leader until <paramref name="until"/> completes (this instance holds the lock) or <paramref name="ct"/>
    /// (it stops). A read under way when the lock comes is finished, not cancelled: cancelling a query costs a round trip
    /// of its own, and the takeover waits for this to end. Survives any store error.
    /// </summary>
    public async Task FollowAsync(Task until, CancellationToken ct)
    {
        var failures = 0;
        using var timer = new PeriodicTimer(options.Value.Tick, clock);
        do
        {
            try
            {
                if (!fleet.Loaded.IsCompleted) await loader.LoadAsync(ct);
                await CatchUpAsync(ct);
                await ReadAheadAsync(ct);
                await intake.WatchAsStandbyAsync(store, id => _aliveAhead.TryGetValue(id, out var at) ? at : null, ct);
                failures = 0;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                failures++;
                var backOff = TimeSpan.FromMilliseconds(Math.Min(MaxBackOff.TotalMilliseconds, options.Value.Tick.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 10))));
                logger.LogWarning("Following the leader failed ({Error}); trying again in {BackOff}", e.Message, backOff);
                await Task.WhenAny(Task.Delay(backOff, clock, ct), until);
            }
        } while (!until.IsCompleted && await Task.WhenAny(timer.WaitForNextTickAsync(ct).AsTask(), until) != until);
    }

    /// <summary>
    /// Called once this instance holds the lock and before its daemon starts: memory is brought to exactly the
    /// progress the last leader committed (it cannot move any more), episodes only the tracker's documents know the id
    /// of are taken from them, and what lies beyond is read ahead, so the watcher can judge before the daemon has
    /// caught up. Returns that read-ahead, or null when there is none (the backlog was too long).
    /// </summary>
    public async Task<ReadAhead.Snapshot?> CatchUpForTermAsync(CancellationToken ct)
    {
        if (!fleet.Loaded.IsCompleted)
        {
            await loader.LoadAsync(ct);
            _unconfirmedEpisodes.Clear();
        }
        await CatchUpAsync(ct);
        if (_unconfirmedEpisodes.Count > 0)
        {
            await using var session = store.QuerySession();
            var documents = await session.LoadManyAsync<TrackedMachine>(ct, _unconfirmedEpisodes);
            var replaced = new List<TrackedMachine>();
            foreach (var document in documents)
                if (fleet.Find(document.Id) is { } m)
                    replaced.Add(m with { OpenEpisodeId = document.OpenEpisodeId, OfflineSince = document.OfflineSince });
            fleet.Commit(replaced, fleet.SeenThrough);
            _unconfirmedEpisodes.Clear();
        }
        await ReadAheadAsync(ct);
        var snapshot = _aheadKnownUntil == DateTimeOffset.MinValue ? null : new ReadAhead.Snapshot(_aheadKnownUntil, new Dictionary<Guid, DateTimeOffset>(_aliveAhead));
        // The next standby period reads ahead afresh.
        _aliveAhead.Clear();
        _readThrough = 0;
        _aheadKnownUntil = DateTimeOffset.MinValue;
        return snapshot;
    }

    /// <summary>
    /// Reads every event committed beyond memory up to the store's newest, noting the heartbeats that prove a machine
    /// alive. Noted first, the time makes silence evidence up to it less Grace, as the watcher's own marks do.
    /// </summary>
    private async Task ReadAheadAsync(CancellationToken ct)
    {
        var observedAt = clock.GetUtcNow();
        long newest;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        await using (var command = new NpgsqlCommand($"select coalesce(max(seq_id), 0) from {store.Options.Events.DatabaseSchemaName}.mt_events", connection))
            newest = (long)(await command.ExecuteScalarAsync(ct))!;
        var from = Math.Max(_readThrough, fleet.SeenThrough);
        if (newest - from > MaxReadAhead)
        {
            _aliveAhead.Clear();
            _readThrough = 0;
            _aheadKnownUntil = DateTimeOffset.MinValue;
            return;
        }
        while (from < newest)
        {
            var after = from;
            await using var session = store.QuerySession();
            var events = await session.Events.QueryAllRawEvents()
                .Where(e => e.Sequence > after && e.Sequence <= newest)
                .OrderBy(e => e.Sequence)
                .Take(PageSize)
                .ToListAsync(ct);
            foreach (var heartbeat in events.SelectMany(e => StoredHeartbeats.In(e.Data)).Where(TransitionDecisions.ProvesAlive))
                if (!_aliveAhead.TryGetValue(heartbeat.MachineId, out var at) || heartbeat.ReceivedAt > at)
                    _aliveAhead[heartbeat.MachineId] = heartbeat.ReceivedAt;
            from = events.Count == PageSize ? events[^1].Sequence : newest;
        }
        _readThrough = newest;
        _aheadKnownUntil = observedAt - options.Value.Grace;
        // What memory holds by now needs no reading ahead.
        foreach (var (id, at) in _aliveAhead.ToList())
            if (fleet.Find(id)?.LastSeenAt >= at) _aliveAhead.Remove(id);
    }

    private async Task CatchUpAsync(CancellationToken ct)
    {
        long progress;
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
            progress = await FleetLoader.TrackerProgressAsync(connection, store.Options.Events.DatabaseSchemaName, ct);
        while (fleet.SeenThrough < progress)
        {
            var from = fleet.SeenThrough;
            await using var session = store.QuerySession();
            var events = await session.Events.QueryAllRawEvents()
                .Where(e => e.Sequence > from && e.Sequence <= progress)
                .OrderBy(e => e.Sequence)
                .Take(PageSize)
                .ToListAsync(ct);
            var changed = StandbyFold.Fold(events.Select(e => new StandbyFold.Stored(e.Data, e.StreamId, e.Version)), fleet.Find, fleet.DefaultThreshold, out var unconfirmed, out var confirmed);
            _unconfirmedEpisodes.ExceptWith(confirmed);
            _unconfirmedEpisodes.UnionWith(unconfirmed);
            // A short page is the rest of the range (sequence gaps are rolled-back appends): memory is then at the progress.
            fleet.Commit(changed, events.Count == PageSize ? events[^1].Sequence : progress);
        }
    }
}
