using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartbeat.Ingest.Heartbeats;

public sealed class RetentionOptions
{
    /// <summary>How long heartbeats are kept. Retention:KeepHeartbeatsFor; default 7 days.</summary>
    public TimeSpan KeepHeartbeatsFor { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often old heartbeats are removed. Retention:Interval; default 10 minutes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Heartbeat streams removed per transaction, so one run never holds a long lock.</summary>
    public int StreamsPerDelete { get; set; } = 500;

    public static void Bind(RetentionOptions o, IConfiguration c)
    {
        o.KeepHeartbeatsFor = Durations.Read(c, o.KeepHeartbeatsFor, "Retention:KeepHeartbeatsFor");
        o.Interval = Durations.Read(c, o.Interval, "Retention:Interval");
        if (int.TryParse(c["Retention:StreamsPerDelete"], out var perDelete) && perDelete > 0) o.StreamsPerDelete = perDelete;
    }
}

/// <summary>
/// Keeps the event store bounded: deletes the heartbeat streams (one per group commit, type heartbeat_batch)
/// created before the retention window, with their events. Machine streams — registrations, settings,
/// pauses and every transition — are never touched, so history and uptime, which are computed from
/// transitions alone, read the same before and after. Deleting whole streams by creation time uses the
/// stream table, not a scan of the events.
/// </summary>
public sealed class HeartbeatRetention(
    IDocumentStore store, NpgsqlDataSource dataSource, TimeProvider clock, IOptions<RetentionOptions> options, ILogger<HeartbeatRetention> logger)
    : BackgroundService
{
    public const string HeartbeatStreamType = "heartbeat_batch";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        do
        {
            try
            {
                var removed = await RemoveExpiredAsync(stoppingToken);
                if (removed > 0) logger.LogInformation("Retention removed {Streams} heartbeat streams older than {Window}", removed, options.Value.KeepHeartbeatsFor);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                logger.LogWarning("Retention skipped this round: {Error}", e.Message);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> RemoveExpiredAsync(CancellationToken ct)
    {
        var schema = store.Options.Events.DatabaseSchemaName;
        var cutoff = clock.GetUtcNow() - options.Value.KeepHeartbeatsFor;
        var total = 0;
        while (!ct.IsCancellationRequested)
        {
            // mt_events references mt_streams with ON DELETE CASCADE: the stream row takes its events along.
            await using var delete = dataSource.CreateCommand($"""
                delete from {schema}.mt_streams
                where id in (select id from {schema}.mt_streams where type = $1 and created < $2 limit $3)
                """);
            delete.Parameters.AddWithValue(HeartbeatStreamType);
            delete.Parameters.AddWithValue(cutoff);
            delete.Parameters.AddWithValue(options.Value.StreamsPerDelete);
            var removed = await delete.ExecuteNonQueryAsync(ct);
            total += removed;
            if (removed < options.Value.StreamsPerDelete) break;
        }
        return total;
    }
}
