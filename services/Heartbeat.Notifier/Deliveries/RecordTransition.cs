using Heartbeat.Contracts.Messages;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// Turns a transition into one pending delivery per channel, in one statement, and nothing else: the message is
/// acknowledged as soon as the rows are committed, and the dispatcher sends them. The primary key
/// (episode, channel, kind) makes a redelivered or duplicated message, on any replica, insert nothing.
/// An online names the offline it waits for; it waits at most <see cref="DeliveryOptions.OfflineWait"/> for that
/// offline to be recorded at all, unless the channel was created after the machine went offline (then none will come).
/// An offline waits for the machine's previous episode's online to that channel if it is still pending (waiting for its own
/// offline, say), so a new episode does not overtake the end of the last one.
/// </summary>
public sealed class RecordTransition(NpgsqlDataSource database, DispatchSignal signal, TimeProvider time, IOptions<NotifierOptions> options)
{
    private const string Sql = """
        insert into notifier.deliveries (id, channel_id, machine_id, episode_id, kind, payload, status, attempts, created_at, next_attempt_at, hold_until, waits_for)
        select format('%s:%s:%s', $1, c.id, $3), c.id, $2, $1, $3, $4, 'pending', 0, $5, $5,
               case when $3 = 'online' then $6 end,
               case when $3 = 'online' and c.created_at <= $7 then format('%s:%s:offline', $1, c.id)
                    when $3 = 'offline' then (select p.id from notifier.deliveries p
                                              where p.machine_id = $2 and p.channel_id = c.id and p.kind = 'online' and p.status = 'pending' and p.episode_id <> $1
                                              order by p.created_at desc limit 1) end
        from notifier.mt_doc_channel c
        on conflict (id) do nothing
        """;

    public Task HandleAsync(MachineWentOffline offline, CancellationToken ct) => InsertAsync(Notification.Of(offline), null, ct);

    public Task HandleAsync(MachineWentOnline online, CancellationToken ct) => InsertAsync(Notification.Of(online), online.OfflineSince, ct);

    private async Task InsertAsync(Notification notification, DateTimeOffset? offlineSince, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var command = database.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = notification.EpisodeId });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = notification.Machine.Id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = notification.Kind });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = notification.ToJson(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now + options.Value.Delivery.OfflineWait });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = offlineSince ?? now });
        if (await command.ExecuteNonQueryAsync(ct) > 0) signal.Wake();
    }
}
