using System.Diagnostics;
using Npgsql;

namespace Heartbeat.Benchmarks;

public sealed record StorageSizes(long Events, long Heartbeats, long EventsTable, long EventsIndexes, long EventsTotal, long StreamsTotal, long Streams)
{
    public double BytesPerEvent => Events == 0 ? 0 : (double)(EventsTotal + StreamsTotal) / Events;
}

public sealed record StorageResult(StorageSizes AfterIngest, int Machines, StorageSizes? AfterRetention, string RetentionNote)
{
    /// <summary>A week of heartbeats every 30 s from the same machines, kept without retention, at the measured size.</summary>
    public double WeekWithoutRetentionGb => Machines * (7 * 86_400 / 30.0) * AfterIngest.BytesPerEvent / 1e9;
}

/// <summary>
/// Bytes per stored heartbeat after the ingest run: (mt_events + mt_streams, tables with their indexes and
/// TOAST) / events in the store; and the store's size before and after retention, once retention exists.
/// </summary>
public static class StorageBenchmark
{
    public static async Task<StorageResult> RunAsync(BenchOptions options, PlatformProcesses platform, int machines, CancellationToken ct)
    {
        var before = await MeasureAsync(platform.Database, ct);
        Console.Error.WriteLine($"[bench] storage: {before.Events:N0} events, {before.BytesPerEvent:F0} bytes per event (mt_events + mt_streams)");

        // TODO(retention): the lead adds a retention command (e.g. `dotnet Heartbeat.Ingest.dll retention --keep 1d`).
        // Until then `--retention-command "<shell command>"` runs it here; it should simulate a week (or drop
        // what a week's retention would drop) against the heartbeat_bench database. Without it, nothing is measured.
        if (options.RetentionCommand is not { Length: > 0 } command)
            return new StorageResult(before, machines, null, "not measured: no retention command yet (TODO hook: --retention-command)");

        var start = new ProcessStartInfo("/bin/sh", ["-c", command]) { WorkingDirectory = options.RepositoryRoot };
        start.Environment["ConnectionStrings__Postgres"] = options.Postgres;
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(10), ct);
        if (process.ExitCode != 0) return new StorageResult(before, machines, null, $"retention command failed with exit code {process.ExitCode}: {command}");
        await using (var vacuum = platform.Database.CreateCommand("vacuum full heartbeat_events.mt_events"))
        {
            vacuum.CommandTimeout = 600;
            await vacuum.ExecuteNonQueryAsync(ct);
        }
        return new StorageResult(before, machines, await MeasureAsync(platform.Database, ct), $"after `{command}` and VACUUM FULL");
    }

    public static async Task<StorageSizes> MeasureAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"""
            select (select count(*) from heartbeat_events.mt_events),
                   (select count(*) from heartbeat_events.mt_events where type = 'heartbeat_received'),
                   {Sum("pg_relation_size", "heartbeat_events.mt_events")},
                   {Sum("pg_indexes_size", "heartbeat_events.mt_events")},
                   {Sum("pg_total_relation_size", "heartbeat_events.mt_events")},
                   {Sum("pg_total_relation_size", "heartbeat_events.mt_streams")},
                   (select count(*) from heartbeat_events.mt_streams)
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new StorageSizes(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6));
    }

    /// <summary>A size function over the table, or over its leaf partitions when it is partitioned (archived stream partitioning).</summary>
    private static string Sum(string function, string table) =>
        $"coalesce((select sum({function}(relid))::bigint from pg_partition_tree('{table}') where isleaf), {function}('{table}'))";
}
