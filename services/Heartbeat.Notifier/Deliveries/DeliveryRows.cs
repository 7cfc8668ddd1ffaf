using Heartbeat.Notifier.Senders;
using Npgsql;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>One attempt's outcome, to be recorded: what happened, what comes next, and the fallback to start if it failed for good.</summary>
public sealed record RecordedAttempt(ClaimedDelivery Delivery, SendOutcome Outcome, AttemptDecision Decision, DateTimeOffset At,
    (Guid Channel, string FailedName)? Fallback);

/// <summary>A delivery claimed for sending: the attempt number is already counted and the row leased to this replica.</summary>
public sealed record ClaimedDelivery(string Id, Guid ChannelId, int Attempt, Notification Notification, FallbackNote? Fallback, string? TraceParent = null)
{
    public Outgoing Outgoing => new(Id, Notification, Fallback);
}

/// <summary>
/// Claiming and recording deliveries, in SQL. A claim is its own committed transaction: due rows are locked with
/// <c>FOR UPDATE SKIP LOCKED</c> and their next attempt moved to the end of the lease, so no other replica (or this
/// one's next claim) can take them while they are being sent. The outcome is recorded afterwards. A replica that dies
/// in between leaves the row to be claimed again when the lease ends: the one way a receiver can get a delivery twice.
/// </summary>
public sealed class DeliveryRows(NpgsqlDataSource database)
{
    /// <summary>
    /// Due pending rows, oldest first, per channel (an index range scan each, so a claim stays cheap however many rows
    /// wait): at most <paramref name="perChannel"/>, or what <paramref name="limits"/> says for a channel (what this
    /// replica is not already sending to it, so one slow channel cannot take every slot; one probe or none while its
    /// circuit is open). An online is not due while the offline it waits for is pending (being
    /// retried or sent right now), nor, until its hold ends, while that offline has not been recorded at all. Rows of
    /// deleted channels are not claimed (deleting a channel cancels them).
    /// </summary>
    private const string ClaimSql = """
        with locked as (
            select x.id from notifier.mt_doc_channel c
            cross join lateral (
                select d.id from notifier.deliveries d
                where d.channel_id = c.id and d.status = 'pending' and d.next_attempt_at <= $1
                  and (d.waits_for is null
                       or coalesce((select o.status <> 'pending' from notifier.deliveries o where o.id = d.waits_for), d.hold_until <= $1))
                order by d.next_attempt_at
                limit greatest(0, coalesce((select b.n from unnest($2::uuid[], $6::int[]) as b(id, n) where b.id = c.id), $3))
                for update of d skip locked
            ) x
            limit $4
        )
        update notifier.deliveries d set next_attempt_at = $5, attempts = d.attempts + 1
        from locked where d.id = locked.id
        returning d.id, d.channel_id, d.attempts, d.payload::text, d.fallback_for, d.fallback_from_name, d.fallback_reason, d.trace_parent
        """;

    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(int limit, int perChannel, IReadOnlyDictionary<Guid, int> limits, DateTimeOffset now, DateTimeOffset leaseUntil, CancellationToken ct)
    {
        await using var command = database.CreateCommand(ClaimSql);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = limits.Keys.ToArray() });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = perChannel });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = leaseUntil });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = limits.Values.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var claimed = new List<ClaimedDelivery>();
        while (await reader.ReadAsync(ct))
        {
            var fallback = reader.IsDBNull(4) ? null
                : new FallbackNote(reader.GetGuid(4), reader.IsDBNull(5) ? "(unnamed)" : reader.GetString(5), reader.IsDBNull(6) ? "" : reader.GetString(6));
            claimed.Add(new ClaimedDelivery(reader.GetString(0), reader.GetGuid(1), reader.GetInt32(2), Notification.FromJson(reader.GetString(3)), fallback,
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }
        return claimed;
    }

    /// <summary>A deleted channel's pending deliveries are cancelled, not failed: there is nothing to fall back from.</summary>
    public async Task CancelChannelAsync(Guid channelId, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            "update notifier.deliveries set status = 'cancelled', next_attempt_at = null, last_error = 'The channel was deleted.' where channel_id = $1 and status = 'pending'");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = channelId });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Each outcome and its line in the attempt log, for a whole batch in two statements over arrays (one statement per
    /// attempt cost PostgreSQL a parse and a plan each: twenty thousand of them in a burst of ten thousand deliveries).
    /// An outcome counts only for the attempt it belongs to (<c>attempts = o.attempt</c>): a late record after the lease
    /// ended and another replica claimed the row changes nothing. The log line is written either way (once).
    /// </summary>
    private const string RecordSql = """
        update notifier.deliveries d
        set status = o.status, next_attempt_at = o.next_attempt_at, last_status_code = o.status_code, last_error = o.error,
            delivered_at = case when o.status = 'delivered' then o.at end
        from unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[], $5::int[], $6::text[], $7::timestamptz[])
             as o(id, attempt, status, next_attempt_at, status_code, error, at)
        where d.id = o.id and d.attempts = o.attempt and d.status = 'pending'
        """;

    private const string AttemptSql = """
        insert into notifier.delivery_attempts (delivery_id, attempt, at, outcome, status_code, error)
        select * from unnest($1::text[], $2::int[], $3::timestamptz[], $4::text[], $5::int[], $6::text[])
        on conflict do nothing
        """;

    /// <summary>
    /// The fallback: the same notification to the fallback channel, saying which channel failed and why; its online
    /// waits for its offline like any other. A fallback delivery has no fallback of its own, so fallbacks cannot loop.
    /// </summary>
    private const string FallbackSql = """
        with f as (
            insert into notifier.deliveries (id, channel_id, machine_id, episode_id, kind, payload, status, attempts, created_at,
                                             next_attempt_at, hold_until, waits_for, fallback_for, fallback_from_name, fallback_reason, trace_parent)
            select format('%s:%s:%s:via:%s', d.episode_id, c.id, d.kind, d.channel_id), c.id, d.machine_id, d.episode_id, d.kind, d.payload,
                   'pending', 0, $2, $2, case when d.kind = 'online' then $2 end,
                   case when d.kind = 'online' then format('%s:%s:offline:via:%s', d.episode_id, c.id, d.channel_id) end,
                   d.channel_id, $3, $4, d.trace_parent
            from notifier.deliveries d join notifier.mt_doc_channel c on c.id = $5
            where d.id = $1 and d.fallback_for is null
            on conflict (id) do nothing
            returning id)
        update notifier.deliveries set fallback_delivery_id = (select id from f) where id = $1 and exists (select 1 from f)
        """;

    /// <summary>
    /// Records attempts, many in one round trip: a batch without an explicit transaction runs as one implicit
    /// transaction, so each outcome, its log line and its fallback are committed together, and all of them at once.
    /// </summary>
    public async Task RecordAsync(IReadOnlyList<RecordedAttempt> attempts)
    {
        await using var batch = database.CreateBatch();
        var record = new NpgsqlBatchCommand(RecordSql);
        record.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = attempts.Select(a => a.Delivery.Id).ToArray() });
        record.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = attempts.Select(a => a.Delivery.Attempt).ToArray() });
        record.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = attempts.Select(a => a.Decision.Status).ToArray() });
        record.Parameters.Add(new NpgsqlParameter<DateTimeOffset?[]> { TypedValue = attempts.Select(a => a.Decision.NextAttemptAt).ToArray() });
        record.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = attempts.Select(a => a.Outcome.StatusCode).ToArray() });
        record.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = attempts.Select(a => a.Decision.Error).ToArray() });
        record.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = attempts.Select(a => a.At).ToArray() });
        batch.BatchCommands.Add(record);

        var log = new NpgsqlBatchCommand(AttemptSql);
        log.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = attempts.Select(a => a.Delivery.Id).ToArray() });
        log.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = attempts.Select(a => a.Delivery.Attempt).ToArray() });
        log.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = attempts.Select(a => a.At).ToArray() });
        log.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = attempts.Select(a => OutcomeName(a.Outcome.Result)).ToArray() });
        log.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = attempts.Select(a => a.Outcome.StatusCode).ToArray() });
        log.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = attempts.Select(a => a.Outcome.Error).ToArray() });
        batch.BatchCommands.Add(log);

        foreach (var a in attempts)
            if (a.Decision.FailedForGood && a.Fallback is { } f)
                batch.BatchCommands.Add(Fallback(a.Delivery.Id, a.At, f.FailedName, a.Decision.Error ?? "failed", f.Channel));
        await batch.ExecuteNonQueryAsync();
    }

    private static NpgsqlBatchCommand Fallback(string deliveryId, DateTimeOffset now, string failedName, string reason, Guid fallbackChannel)
    {
        var insert = new NpgsqlBatchCommand(FallbackSql);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = deliveryId });
        insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = failedName });
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = reason });
        insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = fallbackChannel });
        return insert;
    }

    /// <summary>
    /// The due deliveries of a channel whose circuit is open, created before <paramref name="before"/> (the retry
    /// schedule's span ago): they fail for good now, as their attempts would have run out by then had each been tried.
    /// A row leased to a send under way (its next attempt moved to the lease's end) is not touched. Each goes to the
    /// channel's fallback, if it has one, as after its last attempt.
    /// </summary>
    private const string ExpireSql = """
        update notifier.deliveries d
        set status = 'failed', next_attempt_at = null,
            last_error = format('Gave up after %s attempts: the channel has been failing since %s (%s), longer than its retries last', d.attempts, $4, $5)
        where d.channel_id = $1 and d.status = 'pending' and d.next_attempt_at <= $2 and d.created_at < $3
        returning d.id, d.last_error, d.fallback_for
        """;

    public async Task<int> ExpireAsync(Guid channelId, DateTimeOffset now, DateTimeOffset before, DateTimeOffset failingSince, string error,
        (Guid Channel, string FailedName)? fallback, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var expired = 0;
        var toFallBack = new List<(string Id, string Reason)>();
        await using (var command = new NpgsqlCommand(ExpireSql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = channelId });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = before });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = failingSince.ToString("u") });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = error });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                expired++;
                // A fallback delivery has no fallback of its own.
                if (reader.IsDBNull(2)) toFallBack.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        if (fallback is { } f && toFallBack.Count > 0)
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            foreach (var (id, reason) in toFallBack) batch.BatchCommands.Add(Fallback(id, now, f.FailedName, reason, f.Channel));
            await batch.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return expired;
    }

    /// <summary>The channel is gone: its deliveries are cancelled, not failed (there is nothing to fall back from).</summary>
    public async Task CancelAsync(ClaimedDelivery delivery, string reason, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            "update notifier.deliveries set status = 'cancelled', next_attempt_at = null, last_error = $2 where id = $1 and status = 'pending'");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = delivery.Id });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = reason });
        await command.ExecuteNonQueryAsync(ct);
    }

    public static string OutcomeName(SendResult result) => result switch
    {
        SendResult.Delivered => "delivered",
        SendResult.PermanentFailure => "permanent_failure",
        _ => "transient_failure",
    };
}
