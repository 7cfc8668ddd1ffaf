using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Quiet;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// Sends storm digests when their window closes: one delivery per (digest, channel), id <c>digest:channel:digest</c>
/// (<c>{digest}:{channel}:digest</c>), listing the machines whose deliveries to that channel were merged into it
/// (<see cref="StormMerge"/>), then sent by the dispatcher like any delivery (retries, fallback). The primary key makes
/// it once however many replicas run this loop; closing takes both storm locks, so no transition joins a digest
/// while it is being closed, and the close commits with its deliveries (a crash in between leaves the digest due,
/// and the next tick of any replica, after a restart too, sends it).
/// A channel that does not take <c>digest</c> gets its digest recorded as suppressed (reason <c>preference</c>): it
/// asked not to hear of storms, and the machines merged into it are not told to it one by one either.
/// An online digest waits for that channel's offline digest still being sent, so recoveries never overtake outages.
/// Runs once an <see cref="Interval"/> in every replica, and forgets counted transitions after <see cref="KeepFor"/>.
/// </summary>
public sealed class StormDigests(NpgsqlDataSource database, IDocumentStore store, DispatchSignal signal, TimeProvider time,
    IOptions<NotifierOptions> options, ILogger<StormDigests> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan KeepFor = TimeSpan.FromDays(1);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);

    private const string DueSql = "select exists (select 1 from notifier.storm_digests where closed_at is null and due_at <= $1)";

    private const string CloseSql = """
        update notifier.storm_digests set closed_at = $1 where closed_at is null and due_at <= $1
        returning id, kind, opened_at, due_at
        """;

    private const string MembersSql = """
        select d.digest_id, d.channel_id, d.payload::text from notifier.deliveries d
        join notifier.mt_doc_channel c on c.id = d.channel_id
        where d.digest_id = any($1) and d.status = 'suppressed' and d.reason = 'digest'
        """;

    private const string InsertSql = """
        insert into notifier.deliveries (id, channel_id, machine_id, episode_id, kind, payload, status, attempts, created_at,
                                         next_attempt_at, hold_until, waits_for, reason, detail)
        select format('%s:%s:digest', g.digest_id, g.channel_id), g.channel_id, $1, g.digest_id, 'digest', g.payload,
               case when g.wants then 'pending' else 'suppressed' end, 0, $2,
               case when g.wants then $2 end,
               case when g.wants and g.of = 'online' then $2 end,
               case when g.wants and g.of = 'online' then
                   (select p.id from notifier.deliveries p
                    where p.channel_id = g.channel_id and p.kind = 'digest' and p.status = 'pending' and p.payload->'digest'->>'of' = 'offline'
                    order by p.created_at desc limit 1) end,
               case when not g.wants then 'preference' end,
               case when not g.wants then 'the channel does not take digests; the machines merged into it were not told to it on their own either' end
        from unnest($3::uuid[], $4::uuid[], $5::jsonb[], $6::bool[], $7::text[]) as g(digest_id, channel_id, payload, wants, of)
        on conflict (id) do nothing
        """;

    /// <summary>Onlines waiting for an offline digest the channel does not take: it never heard of the outage, so not of its end either.</summary>
    private const string SilenceSql = """
        update notifier.deliveries d
        set status = 'suppressed', reason = 'digest', next_attempt_at = null, hold_until = null,
            detail = 'its offline was merged into a digest this channel does not take'
        where d.id = any($1) and d.status = 'pending' and d.attempts = 0 and d.waits_for like '%:digest'
        """;

    /// <summary>One statement: a command with parameters cannot hold two (PostgreSQL prepares it as one).</summary>
    private const string PruneSql = """
        with transitions as (delete from notifier.storm_transitions where occurred_at < $1)
        delete from notifier.storm_digests where closed_at < $1
        """;

    private sealed record ClosedDigest(Guid Id, string Kind, DateTimeOffset OpenedAt, DateTimeOffset DueAt);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        var prunedAt = DateTimeOffset.MinValue;
        do
        {
            try
            {
                var now = time.GetUtcNow();
                if (await AnyDueAsync(now, stoppingToken)) await CloseAsync(now, stoppingToken);
                if (now - prunedAt > PruneEvery)
                {
                    await using var prune = database.CreateCommand(PruneSql);
                    prune.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now - KeepFor });
                    await prune.ExecuteNonQueryAsync(stoppingToken);
                    prunedAt = now;
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL away: nothing is lost (the digest stays due); the next tick sends it.
                logger.LogWarning(e, "Sending due storm digests failed; trying again in {Interval}", Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<bool> AnyDueAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var command = database.CreateCommand(DueSql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private async Task CloseAsync(DateTimeOffset now, CancellationToken ct)
    {
        IReadOnlyList<Channel> channels;
        await using (var session = store.QuerySession())
            channels = await session.Query<Channel>().ToListAsync(ct);
        var wants = channels.ToDictionary(c => c.Id, c => c.Route().Wants(NotificationEvents.Digest, machine: null));

        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // Both kinds' locks, always in this order (a transition's batch takes only its own kind's).
        await using (var locks = new NpgsqlCommand("select pg_advisory_xact_lock($1), pg_advisory_xact_lock($2)", connection, transaction))
        {
            locks.Parameters.Add(new NpgsqlParameter<long> { TypedValue = StormMerge.LockOf(Notification.Offline) });
            locks.Parameters.Add(new NpgsqlParameter<long> { TypedValue = StormMerge.LockOf(Notification.Online) });
            await locks.ExecuteNonQueryAsync(ct);
        }

        var closed = new Dictionary<Guid, ClosedDigest>();
        await using (var command = new NpgsqlCommand(CloseSql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                closed[reader.GetGuid(0)] = new ClosedDigest(reader.GetGuid(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetFieldValue<DateTimeOffset>(3));
        }
        if (closed.Count == 0) return; // another replica closed them first

        var members = new List<(Guid Digest, Guid Channel, Notification Transition)>();
        await using (var command = new NpgsqlCommand(MembersSql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = closed.Keys.ToArray() });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                members.Add((reader.GetGuid(0), reader.GetGuid(1), Notification.FromJson(reader.GetString(2))));
        }

        var digests = members.GroupBy(m => (m.Digest, m.Channel)).Select(g =>
        {
            var digest = closed[g.Key.Digest];
            var note = new DigestNote(digest.Id, digest.Kind, digest.OpenedAt, digest.DueAt,
                g.Select(m => Member(m.Transition)).OrderBy(m => m.At).ThenBy(m => m.Name, StringComparer.Ordinal).ToList(),
                options.Value.DashboardUrl);
            return (Channel: g.Key.Channel, Note: note, Wants: wants.GetValueOrDefault(g.Key.Channel));
        }).ToList();

        if (digests.Count > 0)
        {
            await using var insert = new NpgsqlCommand(InsertSql, connection, transaction);
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = FleetNotices.NoMachine });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            insert.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = digests.Select(d => d.Note.DigestId).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = digests.Select(d => d.Channel).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = digests.Select(d => FleetNotices.Of(d.Note).ToJson()).ToArray(), NpgsqlDbType = NpgsqlDbType.Jsonb | NpgsqlDbType.Array });
            insert.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = digests.Select(d => d.Wants).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = digests.Select(d => d.Note.Of).ToArray() });
            await insert.ExecuteNonQueryAsync(ct);

            var unwanted = members.Where(m => closed[m.Digest].Kind == Notification.Offline && !wants.GetValueOrDefault(m.Channel))
                .Select(m => $"{m.Transition.EpisodeId}:{m.Channel}:{Notification.Online}").ToArray();
            if (unwanted.Length > 0)
            {
                await using var silence = new NpgsqlCommand(SilenceSql, connection, transaction);
                silence.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = unwanted });
                await silence.ExecuteNonQueryAsync(ct);
            }
        }
        await transaction.CommitAsync(ct);
        foreach (var digest in closed.Values)
            logger.LogInformation("Storm digest {DigestId} ({Kind}) closed: {Machines} machines to {Channels} channels",
                digest.Id, digest.Kind, members.Where(m => m.Digest == digest.Id).Select(m => m.Transition.Machine.Id).Distinct().Count(),
                digests.Count(d => d.Note.DigestId == digest.Id && d.Wants));
        if (digests.Count > 0) signal.Wake();
    }

    private static DigestMachine Member(Notification n) =>
        new(n.Machine.Id, n.Machine.Name, n.Machine.Hostname, n.Machine.Tags ?? [], n.EpisodeId, n.OccurredAt, n.LastSeen);
}
