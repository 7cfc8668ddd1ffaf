using System.Data;
using Marten;
using Npgsql;

namespace Heartbeat.Detector.Tracking;

/// <summary>
/// Builds the fleet's memory from the tracked-machine documents, the last-seen rows and the tracker's committed
/// progress, before the tracker processes anything and before the watcher judges anyone. A standby loads once at
/// start and then follows (<see cref="Leadership.StandbyFollower"/>), while the leader keeps writing: all three are
/// read in one repeatable-read snapshot, so memory is exactly the state as of that progress, never half a page.
/// </summary>
public sealed class FleetLoader(IDocumentStore store, NpgsqlDataSource dataSource, Fleet fleet, ILogger<FleetLoader> logger)
{
    public async Task LoadAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, stoppingToken);
                await using var session = store.QuerySession(Marten.Services.SessionOptions.ForTransaction(snapshot, false));
                var documents = await session.Query<TrackedMachine>().ToListAsync(stoppingToken);
                var machines = await LastSeenTable.MergeAsync(connection, store.Options.DatabaseSchemaName, documents, stoppingToken);
                var progress = await TrackerProgressAsync(connection, store.Options.Events.DatabaseSchemaName, stoppingToken);
                await snapshot.CommitAsync(stoppingToken);
                fleet.Reset();
                fleet.Load(machines, progress);
                logger.LogInformation("Fleet loaded: {Count} machines, tracker at sequence {Sequence}", machines.Count, progress);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Loading the fleet failed; retrying in {Delay}", delay);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 30));
            }
        }
    }

    /// <summary>The tracker's committed progress: the last event sequence whose effects are in its documents and rows.</summary>
    public static async Task<long> TrackerProgressAsync(NpgsqlConnection connection, string eventsSchema, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select coalesce(max(last_seq_id), 0) from {eventsSchema}.mt_event_progression where name like '{FleetTracker.SubscriptionName}:%'", connection);
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }
}
