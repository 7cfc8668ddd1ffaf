using Heartbeat.ServiceDefaults;
using System.Collections.Immutable;
using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Canary;
using Heartbeat.Detector.Tracking;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartbeat.Detector.Detection;

/// <summary>
/// Alert truth: whether the canary's heartbeats reach the tracker, and so whether silence is evidence at all.
/// The leader's watcher asks it every tick up to when it may judge and how far interruptions move a deadline; the
/// tracker asks it the same about outages found after the fact. Interruptions are recorded as
/// <see cref="IntakeInterrupted"/>/<see cref="IntakeRestored"/> on the platform stream, appended as soon as the
/// store takes them (PostgreSQL being down is one of the causes), while memory decides at once.
/// Without a canary URL it allows everything: the store's own evidence is all there is.
/// </summary>
public sealed class IntakeMonitor(Fleet fleet, CanaryEvidence evidence, ReadAhead readAhead, TimeProvider clock, IOptions<DetectorOptions> options, ILogger<IntakeMonitor> logger)
{
    /// <summary>Interruptions older than the longest threshold can no longer move any deadline.</summary>
    private static readonly TimeSpan KeepFor = TimeSpan.FromDays(8);
    private static readonly TimeSpan CanaryListRefresh = TimeSpan.FromSeconds(2);

    private readonly Lock _gate = new();
    private readonly List<object> _pending = [];
    private IntakeWatch _watch = new(null, DateTimeOffset.MinValue, false, null);
    private ImmutableList<IntakeInterruption> _interruptions = [];
    private Guid[] _canaries = [];
    private DateTimeOffset _canariesReadAt = DateTimeOffset.MinValue;
    private bool _appendFailing;
    // What this instance saw of the canary while it stood by: the newest canary heartbeat its warm memory held, and
    // when (on this detector's clock) that one first appeared.
    private (DateTimeOffset SeenAt, DateTimeOffset ObservedAt)? _standbyWatch;

    public bool Enabled => options.Value.CanaryUrl is not null;

    /// <summary>Every interruption that may still move a deadline, the open one last. Safe to read from any thread.</summary>
    public IReadOnlyList<IntakeInterruption> Interruptions => Volatile.Read(ref _interruptions);

    public IntakeInterruption? Open
    {
        get { lock (_gate) return _watch.Open; }
    }

    /// <summary>Up to when silence is evidence (see <see cref="IntakeDecisions.JudgeableUntil"/>).</summary>
    public DateTimeOffset JudgeableUntil
    {
        get
        {
            if (!Enabled) return DateTimeOffset.MaxValue;
            lock (_gate) return IntakeDecisions.JudgeableUntil(_watch, options.Value.CanaryInterval, options.Value.Grace);
        }
    }

    public DateTimeOffset? EffectiveDeadline(TrackedMachine machine) =>
        IntakeDecisions.EffectiveDeadline(machine, options.Value.OfflineThreshold, options.Value.ExpectedInterval, Interruptions);

    /// <summary>
    /// Starts a leadership term from the store: the interruptions recorded, one still open, the canaries and their
    /// last heartbeat. The time since that heartbeat nobody watched (no detector was reading, or this is a fresh
    /// start); wherever in it no heartbeat of any machine reached the store for longer than the canary timeout,
    /// intake did not work (or nothing shows it did), so those holes are recorded as interruptions too — a whole
    /// platform stopped, or PostgreSQL down while the leader lost its lock. A hole reaching now stays open until
    /// this term's first canary arrives. Where heartbeats kept arriving (only the detector was down), silence is real.
    /// </summary>
    public async Task BeginTermAsync(IDocumentStore store, NpgsqlDataSource dataSource, CancellationToken ct)
    {
        if (!Enabled) return;
        await using var session = store.QuerySession();
        var recorded = await session.Events.FetchStreamAsync(PlatformStream.Id, token: ct);
        var interruptions = new Dictionary<Guid, IntakeInterruption>();
        foreach (var e in recorded)
        {
            if (e.Data is IntakeInterrupted i) interruptions[i.IncidentId] = new IntakeInterruption(i.IncidentId, i.Start, null, i.Cause);
            if (e.Data is IntakeRestored r) interruptions[r.IncidentId] = new IntakeInterruption(r.IncidentId, r.Start, r.End, r.Cause);
        }
        var open = interruptions.Values.Where(i => i.End is null).OrderBy(i => i.Start).LastOrDefault();
        await RefreshCanariesAsync(store, clock.GetUtcNow(), ct);
        DateTimeOffset? seen, trackerSeen;
        lock (_gate)
        {
            seen = CanarySeenAt();
            // The unwatched time starts at the last canary the tracker read, not one only read ahead: a hole in between
            // (PostgreSQL down while no one led) must still be found.
            trackerSeen = CanarySeenAt(includeReadAhead: false);
        }

        var holes = trackerSeen is { } from && open is null
            ? IntakeDecisions.Holes(from, await HeartbeatsStoredSinceAsync(dataSource, store.Options.Events.DatabaseSchemaName, from, ct),
                clock.GetUtcNow(), options.Value.CanaryTimeout, "no heartbeat of any machine reached the store while no detector was watching")
            : [];
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            foreach (var hole in holes)
            {
                interruptions[hole.Id] = hole;
                _pending.Add(new IntakeInterrupted(hole.Id, hole.Start, hole.Cause, now));
                if (hole.End is { } end) _pending.Add(new IntakeRestored(hole.Id, hole.Start, end, end - hole.Start, hole.Cause));
                else open = hole;
                logger.LogWarning("Intake counted as interrupted from {Start:O} to {End}: {Cause}", hole.Start, hole.End?.ToString("O") ?? "the first canary of this term", hole.Cause);
            }
            // A standby that watched a canary arrive within the timeout knows intake works right now, on its own clock:
            // that counts as this term's first arrival, so a takeover judges at once instead of a canary round later.
            // Its overdue clock starts now, giving the daemon that is only starting a whole timeout to read the next
            // one; judging itself never goes past what the canary proved (JudgeableUntil).
            // Which canary it saw does not matter: a graceful stop retires the old leader's canary, whose heartbeats
            // may be the newest the standby watched, and requiring the remaining canaries to be as new made every
            // graceful handover wait for the new tracker's first canary (judging 0.9-2.1 s after the lock, measured).
            var observedAt = _standbyWatch is { } watched
                ? seen is { } newest && newest > watched.SeenAt ? now : watched.ObservedAt
                : (DateTimeOffset?)null;
            _watch = open is null && observedAt is { } at && now - at <= options.Value.CanaryTimeout
                ? new IntakeWatch(seen, now, ArrivedThisTerm: true, null)
                : new IntakeWatch(seen, now, ArrivedThisTerm: false, open);
            _standbyWatch = null;
            Volatile.Write(ref _interruptions, interruptions.Values.Where(i => i.End is not { } end || end > now - KeepFor).OrderBy(i => i.Start).ToImmutableList());
        }
    }

    /// <summary>Commit times of the heartbeats stored after <paramref name="from"/> that the tracker has not read yet.</summary>
    private async Task<List<DateTimeOffset>> HeartbeatsStoredSinceAsync(NpgsqlDataSource dataSource, string schema, DateTimeOffset from, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            $"select timestamp from {schema}.mt_events where seq_id > $1 and timestamp > $2 and type like 'heartbeat%received' order by seq_id");
        command.Parameters.AddWithValue(fleet.SeenThrough);
        command.Parameters.AddWithValue(from);
        var times = new List<DateTimeOffset>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) times.Add(reader.GetFieldValue<DateTimeOffset>(0));
        return times;
    }

    /// <summary>
    /// A standby's look at the canary in its warm memory: records nothing (the leader does), only notes when a newer
    /// canary heartbeat appeared, for <see cref="BeginTermAsync"/>.
    /// </summary>
    /// <param name="aliveAhead">The newest heartbeat the standby read beyond its memory, per machine (<see cref="ReadAhead"/>).</param>
    public async Task WatchAsStandbyAsync(IDocumentStore store, Func<Guid, DateTimeOffset?> aliveAhead, CancellationToken ct)
    {
        if (!Enabled) return;
        var now = clock.GetUtcNow();
        if (now - _canariesReadAt > CanaryListRefresh) await RefreshCanariesAsync(store, now, ct);
        lock (_gate)
        {
            var seen = Newest(CanarySeenAt(), _canaries.Select(aliveAhead).Max());
            if (seen is { } newest && (_standbyWatch is not { } watched || newest > watched.SeenAt)) _standbyWatch = (newest, now);
        }
    }

    /// <summary>One look at the canary, then the recording of whatever changed. Called by the leader's watcher every tick.</summary>
    public async Task TickAsync(IDocumentStore store, CancellationToken ct)
    {
        if (!Enabled) return;
        var now = clock.GetUtcNow();
        if (now - _canariesReadAt > CanaryListRefresh) await RefreshCanariesAsync(store, now, ct);
        lock (_gate)
        {
            var (watch, events) = IntakeDecisions.Observe(_watch, CanarySeenAt(), now, options.Value.CanaryTimeout, evidence.Cause(), Guid.CreateVersion7());
            _watch = watch;
            foreach (var e in events) Record(e);
        }
        await FlushAsync(store, ct);
    }

    public void EndTerm()
    {
        lock (_gate)
        {
            // An interruption still open and not yet recorded (the store is down: often why the term ends) is dropped:
            // the next term finds the unwatched time from the last canary read and records it with its real end.
            if (_watch.Open is { } open) _pending.RemoveAll(e => e is IntakeInterrupted i && i.IncidentId == open.Id);
            _watch = new IntakeWatch(null, DateTimeOffset.MinValue, false, null);
        }
        Volatile.Write(ref _interruptions, []);
    }

    private void Record(object e)
    {
        _pending.Add(e);
        var list = Volatile.Read(ref _interruptions);
        switch (e)
        {
            case IntakeInterrupted i:
                logger.LogWarning("Intake interrupted since {Start:O}: {Cause}. No machine is judged offline until the canary arrives again", i.Start, i.Cause);
                list = list.Add(new IntakeInterruption(i.IncidentId, i.Start, null, i.Cause));
                break;
            case IntakeRestored r:
                logger.LogWarning("Intake restored at {End:O} after {Duration}; every deadline moves by that plus one expected interval", r.End, r.Duration);
                list = list.RemoveAll(x => x.Id == r.IncidentId).Add(new IntakeInterruption(r.IncidentId, r.Start, r.End, r.Cause));
                break;
        }
        Volatile.Write(ref _interruptions, list);
    }

    private async Task FlushAsync(IDocumentStore store, CancellationToken ct)
    {
        object[] pending;
        lock (_gate) pending = [.. _pending];
        if (pending.Length == 0) return;
        try
        {
            await using var session = store.LightweightSession();
            session.Events.Append(PlatformStream.Id, pending);
            await session.SaveChangesAsync(ct);
            lock (_gate) _pending.RemoveRange(0, pending.Length);
            _appendFailing = false;
            HeartbeatTelemetry.IntakeInterruptions.Add(pending.Count(e => e is IntakeInterrupted));
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Kept and appended with the next tick: the store being unreachable is one of the reasons we are here.
            if (!_appendFailing) logger.LogWarning("Recording an intake interruption failed ({Error}); it is kept and retried", e.Message);
            _appendFailing = true;
        }
    }

    private async Task RefreshCanariesAsync(IDocumentStore store, DateTimeOffset now, CancellationToken ct)
    {
        try
        {
            await using var session = store.QuerySession();
            var ids = await session.Query<CanaryMachine>().Select(c => c.Id).ToListAsync(ct);
            lock (_gate) _canaries = [.. ids];
            _canariesReadAt = now;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogDebug(e, "Reading the canary list failed; the last one read is used");
        }
    }

    /// <summary>The newest canary heartbeat read, from any instance's canary: by the tracker, or ahead of it at a takeover.</summary>
    private DateTimeOffset? CanarySeenAt(bool includeReadAhead = true) =>
        _canaries.Select(id => Newest(fleet.Find(id)?.LastSeenAt, includeReadAhead ? readAhead.AliveAt(id) : null)).Where(t => t is not null).DefaultIfEmpty(null).Max();

    private static DateTimeOffset? Newest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;
}
