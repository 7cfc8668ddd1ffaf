using Marten;
using Npgsql;

namespace Heartbeat.Detector.Tracking;

/// <summary>
/// Rebuilds the fleet's memory from the tracked-machine documents and the tracker's committed progress,
/// before the tracker processes anything and before the watcher judges anyone. Run at the start of every
/// leadership term: memory from an earlier term may be stale.
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
                await using var session = store.QuerySession();
                var documents = await session.Query<TrackedMachine>().ToListAsync(stoppingToken);
                var machines = await LastSeenTable.MergeAsync(dataSource, store.Options.DatabaseSchemaName, documents, stoppingToken);
                var progress = await TrackerProgressAsync(stoppingToken);
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

    private async Task<long> TrackerProgressAsync(CancellationToken ct)
    {
        var progress = await store.Advanced.AllProjectionProgress(token: ct);
        return progress.Where(p => p.ShardName.StartsWith(FleetTracker.SubscriptionName + ":", StringComparison.Ordinal))
            .Select(p => p.Sequence).DefaultIfEmpty(0).Max();
    }
}
