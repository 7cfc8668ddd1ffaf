using Heartbeat.Notifier.Quiet;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// The storm rule (<see cref="Storm"/>), applied where transitions are recorded: in the same transaction as their
/// delivery rows (<see cref="RecordTransition"/>), so no dispatcher sees a row that is about to be merged. Membership is
/// decided in the database, not in a replica's memory: each kind's decisions take a transaction-scoped advisory lock
/// (so two replicas judge one after the other, each seeing what the other committed) and count the
/// <c>storm_transitions</c> rows every replica writes. Counted: transitions that would be told on their own to some
/// channel (the other quiet rules come first: a paused machine, a channel's preference, a maintenance window, a
/// dependency still being judged and flapping are not storm news). A merged transition's rows become
/// <c>suppressed</c> with reason <c>digest</c> and name the digest; <see cref="StormDigests"/> sends it.
/// An online whose offline went into a digest is told on its own (people heard it was down) unless it is merged
/// itself, and waits for that digest to be settled so it never overtakes it.
/// </summary>
public sealed class StormMerge(IOptions<NotifierOptions> options, TimeProvider time)
{
    /// <summary>One advisory lock per kind: offlines and onlines are judged independently (their batches run side by side).</summary>
    public static long LockOf(string kind) => kind == Notification.Offline ? 7319402250 : 7319402251;

    /// <summary>
    /// A transition's rows that would be sent on their own (or an online's inherited from an offline merged into a digest),
    /// as a condition on a delivery row <c>d</c> (also the row an insert returns, RecordTransition).
    /// </summary>
    public const string Candidate = """
        ((d.status = 'pending' and d.attempts = 0 and d.dependency_hold is null and d.fallback_for is null)
         or (d.status = 'suppressed' and d.reason = 'digest' and d.digest_id is null))
        """;

    /// <summary>Of the candidates, those already counted (a redelivered message whose rows were inserted for a channel created since).</summary>
    private const string CountedSql = "select episode_id from notifier.storm_transitions where kind = $1 and episode_id = any($2)";

    /// <summary>How many were recorded within the window, counted no further than a storm needs.</summary>
    private const string RecordedCountSql = """
        select count(*) from (select 1 from notifier.storm_transitions where kind = $1 and occurred_at > $2 and occurred_at < $3 limit $4) r
        """;

    private const string RecordedSql = """
        select machine_id, episode_id, occurred_at from notifier.storm_transitions where kind = $1 and occurred_at > $2 and occurred_at < $3
        """;

    private const string OpenSql = "select id, opened_at, due_at from notifier.storm_digests where kind = $1 and closed_at is null";

    private const string OpenDigestsSql = """
        insert into notifier.storm_digests (id, kind, opened_at, due_at)
        select id, $1, opened_at, due_at from unnest($2::uuid[], $3::timestamptz[], $4::timestamptz[]) as g(id, opened_at, due_at)
        """;

    private const string RecordSql = """
        insert into notifier.storm_transitions (episode_id, kind, machine_id, occurred_at, digest_id)
        select episode_id, $1, machine_id, at, digest_id from unnest($2::uuid[], $3::uuid[], $4::timestamptz[], $5::uuid[]) as t(episode_id, machine_id, at, digest_id)
        on conflict do nothing
        """;

    private const string MergeSql = $"""
        update notifier.deliveries d
        set status = 'suppressed', reason = 'digest', digest_id = m.digest_id, next_attempt_at = null, hold_until = null,
            detail = format('merged into the %s digest %s (an alert storm)', $1, m.digest_id)
        from unnest($2::uuid[], $3::uuid[]) as m(episode_id, digest_id)
        where d.episode_id = m.episode_id and d.kind = $1 and {Candidate}
        """;

    /// <summary>An online recorded before its offline (they travel on separate queues) now waits for the digest instead.</summary>
    private const string FollowSql = """
        update notifier.deliveries d
        set waits_for = format('%s:%s:digest', m.digest_id, d.channel_id), hold_until = g.due_at + $3
        from unnest($1::uuid[], $2::uuid[]) as m(episode_id, digest_id) join notifier.storm_digests g on g.id = m.digest_id
        where d.episode_id = m.episode_id and d.kind = 'online' and d.status = 'pending' and d.attempts = 0
          and d.waits_for = format('%s:%s:offline', d.episode_id, d.channel_id)
        """;

    /// <summary>
    /// An online told on its own whose offline was merged: pending again, after that channel's digest — unless the channel
    /// does not take digests (its digest suppressed): then, having not heard of the outage, it does not hear of its end.
    /// </summary>
    private const string ReviveSql = """
        update notifier.deliveries d
        set status = 'pending', reason = null, detail = null, next_attempt_at = $2,
            waits_for = format('%s:%s:digest', o.digest_id, d.channel_id), hold_until = g.due_at + $3
        from notifier.deliveries o join notifier.storm_digests g on g.id = o.digest_id
        where d.episode_id = any($1) and d.kind = 'online' and d.status = 'suppressed' and d.reason = 'digest' and d.digest_id is null
          and o.id = d.waits_for
          and not exists (select 1 from notifier.deliveries x where x.id = format('%s:%s:digest', o.digest_id, d.channel_id) and x.status = 'suppressed')
        """;

    private static async Task<long> CountRecordedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string kind,
        (DateTimeOffset From, DateTimeOffset To) window, StormOptions rule)
    {
        await using var command = new NpgsqlCommand(RecordedCountSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kind });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = window.From });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = window.To });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = rule.Machines + 1L });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <param name="candidates">The episodes of <paramref name="transitions"/> with a row just inserted that would be told on its own (<see cref="Candidate"/>).</param>
    public async Task MergeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<Notification> transitions, IReadOnlySet<Guid> candidates)
    {
        foreach (var kind in transitions.Where(t => !t.DetectedLate && t.Kind is Notification.Offline or Notification.Online).GroupBy(t => t.Kind))
            await MergeKindAsync(connection, transaction, kind.Key, kind.ToList(), candidates);
    }

    private async Task MergeKindAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string kind, IReadOnlyList<Notification> transitions, IReadOnlySet<Guid> candidates)
    {
        var rule = options.Value.Storm.Rule;
        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock($1)", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<long> { TypedValue = LockOf(kind) });
            await lockCommand.ExecuteNonQueryAsync();
        }

        // Arriving: each transition whose rows, just inserted, would be told on their own, once, unless already counted.
        var arriving = transitions.Where(t => candidates.Contains(t.EpisodeId)).DistinctBy(t => t.EpisodeId).OrderBy(t => t.EpisodeId)
            .Select(t => new StormTransition(t.Machine.Id, t.EpisodeId, t.OccurredAt.ToUniversalTime())).ToList();
        if (arriving.Count > 0)
        {
            await using var command = new NpgsqlCommand(CountedSql, connection, transaction);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kind });
            command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = arriving.Select(t => t.Episode).ToArray() });
            var counted = new HashSet<Guid>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) counted.Add(reader.GetGuid(0));
            if (counted.Count > 0) arriving.RemoveAll(t => counted.Contains(t.Episode));
        }

        IReadOnlyList<StormVerdict> verdicts = [];
        IReadOnlyList<OpenDigest> opened = [];
        if (arriving.Count > 0)
        {
            // Too few within the window for a storm (most batches): nothing more to read, and the judge merges none.
            var window = Storm.WindowAround(arriving, rule);
            var stormPossible = Storm.Possible(arriving.Count + await CountRecordedAsync(connection, transaction, kind, window, rule), rule);
            var recorded = stormPossible ? await RecordedAsync(connection, transaction, kind, window) : [];
            var open = stormPossible ? await OpenAsync(connection, transaction, kind) : [];
            (verdicts, opened) = Storm.Judge(recorded, open, arriving, rule, Guid.CreateVersion7);
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        if (opened.Count > 0)
        {
            var openDigests = new NpgsqlBatchCommand(OpenDigestsSql);
            openDigests.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kind });
            openDigests.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = opened.Select(d => d.Id).ToArray() });
            openDigests.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = opened.Select(d => d.OpenedAt).ToArray() });
            openDigests.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = opened.Select(d => d.DueAt).ToArray() });
            batch.BatchCommands.Add(openDigests);
        }
        if (verdicts.Count > 0)
        {
            var record = new NpgsqlBatchCommand(RecordSql);
            record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kind });
            record.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = verdicts.Select(v => v.Transition.Episode).ToArray() });
            record.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = verdicts.Select(v => v.Transition.Machine).ToArray() });
            record.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = verdicts.Select(v => v.Transition.At).ToArray() });
            record.Parameters.Add(new NpgsqlParameter<Guid?[]> { TypedValue = verdicts.Select(v => v.Digest).ToArray() });
            batch.BatchCommands.Add(record);
        }
        var merged = verdicts.Where(v => v.Digest is not null).ToList();
        if (merged.Count > 0)
        {
            var merge = new NpgsqlBatchCommand(MergeSql);
            merge.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kind });
            merge.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = merged.Select(v => v.Transition.Episode).ToArray() });
            merge.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = merged.Select(v => v.Digest!.Value).ToArray() });
            batch.BatchCommands.Add(merge);
            if (kind == Notification.Offline)
            {
                var follow = new NpgsqlBatchCommand(FollowSql);
                follow.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = merged.Select(v => v.Transition.Episode).ToArray() });
                follow.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = merged.Select(v => v.Digest!.Value).ToArray() });
                follow.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = options.Value.Delivery.OfflineWait });
                batch.BatchCommands.Add(follow);
            }
        }
        if (kind == Notification.Online)
        {
            var revive = new NpgsqlBatchCommand(ReviveSql);
            revive.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = transitions.Select(t => t.EpisodeId).ToArray() });
            revive.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow() });
            revive.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = options.Value.Delivery.OfflineWait });
            batch.BatchCommands.Add(revive);
        }
        if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync();
    }

    private static async Task<List<StormTransition>> RecordedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string kind,
        (DateTimeOffset From, DateTimeOffset To) window)
    {
        var recorded = new List<StormTransition>();
        await using var command = new NpgsqlCommand(RecordedSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kind });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = window.From });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = window.To });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            recorded.Add(new StormTransition(reader.GetGuid(0), reader.GetGuid(1), reader.GetFieldValue<DateTimeOffset>(2)));
        return recorded;
    }

    private static async Task<List<OpenDigest>> OpenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string kind)
    {
        var open = new List<OpenDigest>();
        await using var command = new NpgsqlCommand(OpenSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = kind });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            open.Add(new OpenDigest(reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2)));
        return open;
    }
}
