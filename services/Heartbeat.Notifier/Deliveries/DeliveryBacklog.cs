using Heartbeat.ServiceDefaults;
using Npgsql;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// The retry queue's depth as a metric (<c>heartbeat.delivery.pending</c>): deliveries waiting to be sent or retried,
/// counted in the table every replica shares. Counted every few seconds and served from memory, since a gauge is read
/// on every scrape and a scrape must not wait for the database.
/// </summary>
public sealed class DeliveryBacklog(NpgsqlDataSource database, ILogger<DeliveryBacklog> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);
    private long _pending;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Instruments live as long as the meter (the process): created once, when this service starts.
        HeartbeatTelemetry.ObserveDeliveriesPending(() => Interlocked.Read(ref _pending));
        using var timer = new PeriodicTimer(Every);
        do
        {
            try
            {
                await using var command = database.CreateCommand("select count(*) from notifier.deliveries where status = 'pending'");
                Interlocked.Exchange(ref _pending, (long)(await command.ExecuteScalarAsync(stoppingToken))!);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL away: the gauge keeps its last value; the readiness check reports the database.
                logger.LogDebug(e, "Counting pending deliveries failed");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
