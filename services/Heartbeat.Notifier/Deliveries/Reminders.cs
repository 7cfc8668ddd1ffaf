using Heartbeat.Notifier.Channels;
using Marten;
using Npgsql;
using NpgsqlTypes;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// Reminders: for a channel with <c>renotify_every</c>, an offline that was delivered is repeated every interval
/// (counted from the last time it was told) while its episode has no online yet, at most <c>renotify_max</c> times.
/// Each reminder is a delivery of its own, <c>episode:channel:offline:reminder:n</c>, with kind <c>reminder</c>, so the
/// primary key makes each one happen once however many replicas run this loop, and it is retried like any delivery.
/// When the online arrives no further reminder is made, and one still waiting is cancelled. Runs once an
/// <see cref="Interval"/> in every replica. Only offlines told within a generous bound of their last possible reminder
/// (twice the interval plus ten minutes, times the count) are looked at, so the loop does not read the whole history
/// each second; a notifier down for longer than that skips the reminders it missed rather than sending them late.
/// </summary>
public sealed class Reminders(NpgsqlDataSource database, IDocumentStore store, DispatchSignal signal, TimeProvider time, ILogger<Reminders> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private const string RemindSql = """
        insert into notifier.deliveries (id, channel_id, machine_id, episode_id, kind, payload, status, attempts, created_at, next_attempt_at)
        select format('%s:%s:offline:reminder:%s', o.episode_id, o.channel_id, r.n), o.channel_id, o.machine_id, o.episode_id, 'reminder',
               jsonb_set(o.payload, '{reminder}', to_jsonb(r.n)), 'pending', 0, $1, $1
        from unnest($2::uuid[], $3::interval[], $4::int[]) as c(channel_id, every, max)
        join notifier.deliveries o on o.channel_id = c.channel_id and o.kind = 'offline' and o.status = 'delivered' and o.fallback_for is null
                                  and o.delivered_at > $1 - (c.every * 2 + interval '10 minutes') * (c.max + 1)
        cross join lateral (select count(*) + 1 as n, max(x.created_at) as last from notifier.deliveries x
                            where x.episode_id = o.episode_id and x.channel_id = o.channel_id and x.kind = 'reminder') r
        where r.n <= c.max
          and greatest(r.last, o.delivered_at) + c.every <= $1
          and not exists (select 1 from notifier.deliveries x where x.episode_id = o.episode_id and x.kind = 'online')
        on conflict (id) do nothing
        """;

    /// <summary>The machine is back: a reminder not yet sent is not sent.</summary>
    private const string CancelSql = """
        update notifier.deliveries r set status = 'cancelled', next_attempt_at = null, last_error = 'The machine came back online.'
        where r.kind = 'reminder' and r.status = 'pending' and r.attempts = 0
          and exists (select 1 from notifier.deliveries x where x.episode_id = r.episode_id and x.kind = 'online')
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await RemindAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL away: nothing is lost; the next tick makes what is due then.
                logger.LogWarning(e, "Making reminders failed; trying again in {Interval}", Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RemindAsync(CancellationToken ct)
    {
        IReadOnlyList<Channel> channels;
        await using (var session = store.QuerySession())
            channels = (await session.Query<Channel>().ToListAsync(ct)).Where(c => c.RenotifyEvery is not null).ToList();
        var now = time.GetUtcNow();
        await using var batch = database.CreateBatch();
        var cancel = new NpgsqlBatchCommand(CancelSql);
        batch.BatchCommands.Add(cancel);
        var remind = new NpgsqlBatchCommand(RemindSql);
        remind.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        remind.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = channels.Select(c => c.Id).ToArray() });
        remind.Parameters.Add(new NpgsqlParameter<TimeSpan[]> { TypedValue = channels.Select(c => c.RenotifyEvery!.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Interval });
        remind.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = channels.Select(c => c.RenotifyMax ?? ChannelRouting.DefaultRenotifyMax).ToArray() });
        batch.BatchCommands.Add(remind);
        await batch.ExecuteNonQueryAsync(ct);
        if (remind.RecordsAffected > 0)
        {
            logger.LogInformation("{Count} reminders of machines still offline made", remind.RecordsAffected);
            signal.Wake();
        }
    }
}
