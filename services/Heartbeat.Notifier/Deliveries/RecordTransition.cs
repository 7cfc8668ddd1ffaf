using Heartbeat.ServiceDefaults;
using Heartbeat.Contracts.Messages;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// Turns transitions into one pending delivery per channel and nothing else: a message is acknowledged as soon as its
/// rows are committed, and the dispatcher sends them. Transitions arriving together share one statement
/// (<see cref="GroupCommit{T}"/>; one per kind, so an offline and an online of the same machine never meet in one
/// statement, where the offline could not see the online it must wait for). The primary key (episode, channel, kind)
/// makes a redelivered or duplicated message, on any replica or in the same statement, insert nothing.
/// An online names the offline it waits for; it waits at most <see cref="DeliveryOptions.OfflineWait"/> for that
/// offline to be recorded at all, unless the channel was created after the machine went offline (then none will come).
/// An offline waits for the machine's previous episode's online to that channel if it is still pending (waiting for its own
/// offline, say), so a new episode does not overtake the end of the last one.
/// A past outage found after the fact (<c>DetectedLate</c>) is told once, by its online alone: its offline inserts
/// nothing, and its online waits for nothing.
/// Which channels get a transition is decided first (<see cref="QuietLookup"/>: routing, pause, maintenance windows):
/// a channel that is not to be told gets a <c>suppressed</c> row with the reason, never sent, so the log says why.
/// </summary>
public sealed class RecordTransition : BackgroundService
{
    private const int MaxBatch = TransitionConsumerDefinition<MachineWentOfflineConsumer>.ConcurrentMessages;

    /// <remarks>
    /// What a transition's rows depend on is read once for the whole batch, by key, before the insert (the two
    /// <c>materialized</c> lookups): an offline's machine's pending onlines, and an online's offline rows. As subqueries
    /// run once per row, PostgreSQL planned them from the table's statistics, which lag a burst by up to a minute; it
    /// then walked the channel's whole pending queue once per transition (1.5–2.7 s a batch of 500 with 10,000 waiting
    /// for a dead channel, auto_explain during scripts/bench notify), or the whole table. By key, the worst plan left is
    /// one scan a batch.
    /// </remarks>
    private const string Sql = $$"""
        with pending_online as materialized (
            select p.id, p.machine_id, p.channel_id, p.episode_id, p.created_at from notifier.deliveries p
            where p.machine_id = any($17) and p.kind = 'online' and p.status = 'pending'),
        their_offline as materialized (
            select o.id, o.status, o.reason from notifier.deliveries o where o.id = any($18))
        insert into notifier.deliveries as d (id, channel_id, machine_id, episode_id, kind, payload, status, attempts, created_at, next_attempt_at, hold_until, waits_for,
                                         reason, detail, window_id, quiet_until, depends_on, dependency_hold, trace_parent)
        select format('%s:%s:%s', t.episode_id, c.id, t.kind), c.id, t.machine_id, t.episode_id, t.kind, t.payload,
               case when r.reason is not null then 'suppressed' else 'pending' end, 0, $6,
               case when r.reason is null then $6 + coalesce(t.hold, interval '0') end,
               case when t.kind = 'online' then $7 end,
               case when t.kind = 'online' and not t.detected_late and c.created_at <= t.offline_since then format('%s:%s:offline', t.episode_id, c.id)
                    when t.kind = 'offline' then (select p.id from pending_online p
                                                  where p.machine_id = t.machine_id and p.channel_id = c.id and p.episode_id <> t.episode_id
                                                  order by p.created_at desc limit 1) end,
               r.reason, r.detail,
               case when t.kind = 'offline' and r.reason = 'maintenance' then q.window_id end,
               case when t.kind = 'offline' and r.reason = 'maintenance' then q.quiet_until end,
               case when t.kind = 'offline' then (t.payload->'machine'->>'dependsOn')::uuid end, t.hold, t.trace_parent
        from unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::timestamptz[], $8::bool[], $15::interval[], $16::text[]) with ordinality
             as t(episode_id, machine_id, kind, payload, offline_since, detected_late, hold, trace_parent, n)
        join unnest($9::int[], $10::uuid[], $11::text[], $12::text[], $13::uuid[], $14::timestamptz[])
             as q(n, channel_id, reason, detail, window_id, quiet_until) on q.n = t.n
        join notifier.mt_doc_channel c on c.id = q.channel_id
        left join their_offline o on t.kind = 'online' and o.id = format('%s:%s:offline', t.episode_id, c.id)
        -- An online follows its offline: one that was told is ended even inside a maintenance window (the people who
        -- were told it is down hear that it is up); one that was silenced (but for the channel's own choice) stays silent.
        cross join lateral (select
            case when q.reason = 'maintenance' and o.status <> 'suppressed' then null
                 when q.reason is not null then q.reason
                 when o.status = 'suppressed' and o.reason <> 'preference' then o.reason end as reason,
            case when q.reason = 'maintenance' and o.status <> 'suppressed' then null
                 when q.reason is not null then q.detail
                 when o.status = 'suppressed' and o.reason <> 'preference' then format('its offline was not told (%s)', o.reason) end as detail) r
        on conflict (id) do nothing
        returning d.episode_id, {{StormMerge.Candidate}}
        """;

    /// <summary>The id of an episode's offline delivery to a channel, as the insert makes it (<c>format('%s:%s:offline', …)</c>).</summary>
    private static string OfflineDeliveryId(Guid episode, Guid channel) => $"{episode}:{channel}:offline";

    /// <param name="DependencyHold">How long an offline of a machine with a parent waits before it is sent (<see cref="DependentOfflines"/>).</param>
    /// <param name="TraceParent">The consuming span (which continues the transition's trace): each delivery continues it.</param>
    private sealed record Transition(Notification Notification, DateTimeOffset? OfflineSince, TimeSpan? DependencyHold = null, string? TraceParent = null);

    private readonly NpgsqlDataSource _database;
    private readonly DispatchSignal _signal;
    private readonly TimeProvider _time;
    private readonly IOptions<NotifierOptions> _options;
    private readonly QuietLookup _quiet;
    private readonly StormMerge _storm;
    private readonly GroupCommit<Transition> _offlines;
    private readonly GroupCommit<Transition> _onlines;

    public RecordTransition(NpgsqlDataSource database, DispatchSignal signal, TimeProvider time, IOptions<NotifierOptions> options, QuietLookup quiet, StormMerge storm)
    {
        (_database, _signal, _time, _options, _quiet, _storm) = (database, signal, time, options, quiet, storm);
        _offlines = new GroupCommit<Transition>(InsertAsync, MaxBatch);
        _onlines = new GroupCommit<Transition>(InsertAsync, MaxBatch);
    }

    public Task HandleAsync(MachineWentOffline offline) =>
        offline.DetectedLate ? Task.CompletedTask
        : _offlines.SubmitAsync(new(Notification.Of(offline), null, offline.Machine.DependsOn is null ? null : DependentOfflines.Hold(offline.Threshold), TraceOfConsume()));

    public Task HandleAsync(MachineWentOnline online) => _onlines.SubmitAsync(new(Notification.Of(online), online.OfflineSince, TraceParent: TraceOfConsume()));

    /// <summary>The consuming span, which continues the transition's trace.</summary>
    private static string? TraceOfConsume() => HeartbeatTelemetry.CurrentTraceParent();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(_offlines.RunAsync(), _onlines.RunAsync());

    /// <summary>Stopped after the bus (registered before it): every message the consumers took is committed first.</summary>
    public override Task StopAsync(CancellationToken cancellationToken)
    {
        _offlines.Complete();
        _onlines.Complete();
        return base.StopAsync(cancellationToken);
    }

    private async Task InsertAsync(IReadOnlyList<Transition> transitions)
    {
        var now = _time.GetUtcNow();
        // One transaction with the flapping judgement and the storm rule (StormMerge), so no dispatcher sees a row about
        // to be merged into a digest, and a batch costs one commit.
        await using var connection = await _database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var routed = await _quiet.RouteAsync(connection, transaction, transitions.Select(t => t.Notification).ToList());
        await using var command = new NpgsqlCommand(Sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = transitions.Select(t => t.Notification.EpisodeId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = transitions.Select(t => t.Notification.Machine.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = transitions.Select(t => t.Notification.Kind).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = transitions.Select(t => t.Notification.ToJson()).ToArray(), NpgsqlDbType = NpgsqlDbType.Jsonb | NpgsqlDbType.Array });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = transitions.Select(t => t.OfflineSince ?? now).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now + _options.Value.Delivery.OfflineWait });
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = transitions.Select(t => t.Notification.DetectedLate).ToArray() });
        // Ordinality counts from 1.
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = routed.Select(r => r.Transition + 1).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = routed.Select(r => r.ChannelId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = routed.Select(r => r.Reason).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = routed.Select(r => r.Detail).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid?[]> { TypedValue = routed.Select(r => r.WindowId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]> { TypedValue = routed.Select(r => r.QuietUntil).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan?[]> { TypedValue = transitions.Select(t => t.DependencyHold).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Interval });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = transitions.Select(t => t.TraceParent).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = transitions.Where(t => t.Notification.Kind == Notification.Offline).Select(t => t.Notification.Machine.Id).Distinct().ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = routed.Where(r => transitions[r.Transition].Notification.Kind == Notification.Online)
            .Select(r => OfflineDeliveryId(transitions[r.Transition].Notification.EpisodeId, r.ChannelId)).ToArray() });
        // The rows just inserted that would be told on their own are what the storm rule counts: said by the insert itself,
        // rather than read back with a join against the deliveries, which a burst makes large before its statistics
        // catch up (the planner then walked the table once per transition: 0.5 s a batch, scripts/bench notify).
        var inserted = 0;
        var candidates = new HashSet<Guid>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
            {
                inserted++;
                if (reader.GetBoolean(1)) candidates.Add(reader.GetGuid(0));
            }
        await _storm.MergeAsync(connection, transaction, transitions.Select(t => t.Notification).ToList(), candidates);
        await transaction.CommitAsync();
        if (inserted > 0) _signal.Wake();
    }
}
