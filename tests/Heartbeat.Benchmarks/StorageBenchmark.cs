using Npgsql;

namespace Heartbeat.Benchmarks;

public sealed record StorageSizes(
    long Events, long Heartbeats, long EventsTable, long EventsIndexes, long EventsTotal, long StreamsTotal, long Streams, long HeartbeatEvents, long HeartbeatDataBytes)
{
    public double BytesPerEvent => Events == 0 ? 0 : (double)(EventsTotal + StreamsTotal) / Events;
    public long Total => EventsTotal + StreamsTotal;
}

public sealed record StorageResult(StorageSizes AfterIngest, StorageSizes Registered, int Machines, StorageSizes? AfterRetention, string RetentionNote)
{
    /// <summary>
    /// What the heartbeats added to the store — mt_events and mt_streams, tables, indexes and TOAST — over
    /// the heartbeats stored: the size after the ingest run minus the size with the machines registered and
    /// no heartbeat yet, so registrations do not count.
    /// </summary>
    public double BytesPerHeartbeat => AfterIngest.Heartbeats == 0 ? 0 : (double)(AfterIngest.Total - Registered.Total) / AfterIngest.Heartbeats;

    public double HeartbeatsPerEvent => AfterIngest.HeartbeatEvents == 0 ? 0 : (double)AfterIngest.Heartbeats / AfterIngest.HeartbeatEvents;

    /// <summary>A week of heartbeats every 30 s from the same machines, kept without retention, at the measured size.</summary>
    public double WeekWithoutRetentionGb => Machines * (7 * 86_400 / 30.0) * BytesPerHeartbeat / 1e9;
}

/// <summary>
/// Bytes per stored heartbeat after the ingest run: (mt_events + mt_streams, tables with their indexes and
/// TOAST) / events in the store; and the store's size before and after retention, once retention exists.
/// </summary>
public static class StorageBenchmark
{
    /// <summary>Heartbeats stored: entries of group commits' heartbeats_received events, plus old single heartbeat_received events.</summary>
    public const string HeartbeatCountSql = """
        select coalesce((select sum(jsonb_array_length(data->'Heartbeats')) from heartbeat_events.mt_events where type = 'heartbeats_received'), 0)::bigint
             + (select count(*) from heartbeat_events.mt_events where type = 'heartbeat_received')
        """;

    public static async Task<StorageResult> RunAsync(BenchOptions options, PlatformProcesses platform, int machines, StorageSizes registered, CancellationToken ct)
    {
        var before = await MeasureAsync(platform.Database, ct);
        Console.Error.WriteLine($"[bench] storage: {before.Heartbeats:N0} heartbeats in {before.HeartbeatEvents:N0} events, {(double)(before.Total - registered.Total) / Math.Max(1, before.Heartbeats):F1} bytes per heartbeat (mt_events + mt_streams)");

        // A simulated week and a half: the heartbeat streams written by the ingest run are spread evenly over
        // the last ten days (oldest first), then the ingest service's own retention (every 2 s here, keeping
        // 7 days by default) must drop the oldest 30 % and nothing else.
        var lifeEventsBefore = await CountAsync(platform.Database, "select count(*) from heartbeat_events.mt_events where type not in ('heartbeat_received', 'heartbeats_received')", ct);
        await using (var age = platform.Database.CreateCommand("""
            with ranked as (
              select id, row_number() over (order by created) as n, count(*) over () as total
              from heartbeat_events.mt_streams where type = 'heartbeat_batch')
            update heartbeat_events.mt_streams s set created = now() - interval '10 days' * (1 - (r.n - 1)::float / r.total)
            from ranked r where s.id = r.id
            """))
        {
            age.CommandTimeout = 600;
            await age.ExecuteNonQueryAsync(ct);
        }
        var deadline = DateTimeOffset.UtcNow.AddMinutes(5);
        while (await CountAsync(platform.Database, "select count(*) from heartbeat_events.mt_streams where type = 'heartbeat_batch' and created < now() - interval '7 days'", ct) > 0)
        {
            if (DateTimeOffset.UtcNow > deadline)
                return new StorageResult(before, registered, machines, null, "retention did not remove the aged heartbeat streams within 5 minutes");
            await Task.Delay(500, ct);
        }
        var lifeEventsAfter = await CountAsync(platform.Database, "select count(*) from heartbeat_events.mt_events where type not in ('heartbeat_received', 'heartbeats_received')", ct);
        await using (var vacuum = platform.Database.CreateCommand("vacuum full heartbeat_events.mt_events"))
        {
            vacuum.CommandTimeout = 600;
            await vacuum.ExecuteNonQueryAsync(ct);
        }
        var after = await MeasureAsync(platform.Database, ct);
        var note = $"heartbeats spread over 10 days, ingest's retention (7 days) ran, then VACUUM FULL; " +
            $"{before.Heartbeats - after.Heartbeats:N0} heartbeats removed, other events {lifeEventsBefore:N0} before / {lifeEventsAfter:N0} after";
        return new StorageResult(before, registered, machines, after, note);
    }

    private static async Task<long> CountAsync(NpgsqlDataSource database, string sql, CancellationToken ct)
    {
        await using var command = database.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    public static async Task<StorageSizes> MeasureAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"""
            select (select count(*) from heartbeat_events.mt_events),
                   ({HeartbeatCountSql}),
                   {Sum("pg_relation_size", "heartbeat_events.mt_events")},
                   {Sum("pg_indexes_size", "heartbeat_events.mt_events")},
                   {Sum("pg_total_relation_size", "heartbeat_events.mt_events")},
                   {Sum("pg_total_relation_size", "heartbeat_events.mt_streams")},
                   (select count(*) from heartbeat_events.mt_streams),
                   (select count(*) from heartbeat_events.mt_events where type in ('heartbeat_received', 'heartbeats_received')),
                   (select coalesce(sum(pg_column_size(data)), 0)::bigint from heartbeat_events.mt_events where type in ('heartbeat_received', 'heartbeats_received'))
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new StorageSizes(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8));
    }

    /// <summary>A size function over the table, or over its leaf partitions when it is partitioned (archived stream partitioning).</summary>
    private static string Sum(string function, string table) =>
        $"coalesce((select sum({function}(relid))::bigint from pg_partition_tree('{table}') where isleaf), {function}('{table}'))";
}
