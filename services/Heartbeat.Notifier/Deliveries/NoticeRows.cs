using Npgsql;
using NpgsqlTypes;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// A per-machine notification that is not a transition (a warning and its end, a flapping notice and its end), to be
/// recorded for every channel. <see cref="Follows"/>: the kind of the notice it ends (<c>warning</c>, <c>flapping</c>),
/// in the same episode (the warning spell, the flapping episode).
/// </summary>
public sealed record Notice(Notification Notification, string? Follows = null, string? TraceParent = null);

/// <summary>
/// Records notices as deliveries, one per (episode, channel, kind) like transitions — the primary key makes a
/// repeated message or a second replica insert nothing — with the quiet rules' decision for each channel. A notice
/// that ends another follows it as an online follows its offline: it waits for it to settle, and if that one was not
/// told to the channel (or the channel did not exist yet) the end is not told either, with the same reason.
/// </summary>
public static class NoticeRows
{
    private const string Sql = """
        insert into notifier.deliveries (id, channel_id, machine_id, episode_id, kind, payload, status, attempts, created_at, next_attempt_at,
                                         hold_until, waits_for, reason, detail, window_id, trace_parent)
        select format('%s:%s:%s', t.episode_id, c.id, t.kind), c.id, t.machine_id, t.episode_id, t.kind, t.payload,
               case when r.reason is null then 'pending' else 'suppressed' end, 0, $1,
               case when r.reason is null then $1 end,
               case when t.follows is not null then $1 end,
               case when t.follows is not null then format('%s:%s:%s', t.episode_id, c.id, t.follows) end,
               r.reason, r.detail, q.window_id, t.trace_parent
        from unnest($2::uuid[], $3::uuid[], $4::text[], $5::jsonb[], $6::text[], $7::text[]) with ordinality
             as t(episode_id, machine_id, kind, payload, follows, trace_parent, n)
        join unnest($8::int[], $9::uuid[], $10::text[], $11::text[], $12::uuid[]) as q(n, channel_id, reason, detail, window_id) on q.n = t.n
        join notifier.mt_doc_channel c on c.id = q.channel_id
        left join notifier.deliveries f on t.follows is not null and f.id = format('%s:%s:%s', t.episode_id, c.id, t.follows)
        cross join lateral (select
            case when q.reason is not null then q.reason
                 when t.follows is not null and (f.id is null or f.status in ('suppressed', 'cancelled')) then coalesce(f.reason, 'preference') end as reason,
            case when q.reason is not null then q.detail
                 when t.follows is not null and (f.id is null or f.status in ('suppressed', 'cancelled'))
                 then format('its %s notification was not told to this channel', t.follows) end as detail) r
        on conflict (id) do nothing
        """;

    /// <summary>Inserts the notices' rows (in <paramref name="transaction"/> when given); the number of rows made.</summary>
    public static async Task<int> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, IReadOnlyList<Notice> notices,
        IReadOnlyList<RoutedDelivery> routed, DateTimeOffset now)
    {
        if (notices.Count == 0 || routed.Count == 0) return 0;
        await using var command = new NpgsqlCommand(Sql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = notices.Select(n => n.Notification.EpisodeId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = notices.Select(n => n.Notification.Machine.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = notices.Select(n => n.Notification.Kind).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = notices.Select(n => n.Notification.ToJson()).ToArray(), NpgsqlDbType = NpgsqlDbType.Jsonb | NpgsqlDbType.Array });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = notices.Select(n => n.Follows).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = notices.Select(n => n.TraceParent).ToArray() });
        // Ordinality counts from 1.
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = routed.Select(r => r.Transition + 1).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = routed.Select(r => r.ChannelId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = routed.Select(r => r.Reason).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = routed.Select(r => r.Detail).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<Guid?[]> { TypedValue = routed.Select(r => r.WindowId).ToArray() });
        return await command.ExecuteNonQueryAsync();
    }
}
