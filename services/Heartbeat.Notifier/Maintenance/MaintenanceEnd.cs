using Heartbeat.Notifier.Deliveries;
using Npgsql;

namespace Heartbeat.Notifier.Maintenance;

/// <summary>
/// When a window's occurrence ends, a machine whose offline it silenced and which has not come back since is told
/// once (<see cref="Quiet.QuietRules.TellAtWindowEnd"/>: still offline, and the outage began inside the window —
/// which every silenced offline did): its suppressed delivery becomes pending, with the same id, so however many
/// replicas run this loop, each (episode, channel) is told at most once. An outage told before the window began was
/// not silenced and is not told again. Silenced offlines whose machine came back in the window stay silent.
/// Runs in every replica, once a <see cref="Interval"/>.
/// </summary>
public sealed class MaintenanceEnd(NpgsqlDataSource database, DispatchSignal signal, TimeProvider time, ILogger<MaintenanceEnd> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private const string TellSql = """
        update notifier.deliveries d
        set status = 'pending', next_attempt_at = $1, quiet_until = null,
            detail = d.detail || '; told when the window ended: still offline'
        where d.status = 'suppressed' and d.reason = 'maintenance' and d.kind = 'offline' and d.quiet_until <= $1
          and not exists (select 1 from notifier.deliveries o where o.episode_id = d.episode_id and o.kind = 'online')
        """;

    /// <summary>What is left ended in the window (the machine came back): nothing more to do for it.</summary>
    private const string SettleSql = "update notifier.deliveries set quiet_until = null where status = 'suppressed' and quiet_until <= $1";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                var now = time.GetUtcNow();
                await using var batch = database.CreateBatch();
                var tell = new NpgsqlBatchCommand(TellSql);
                tell.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
                var settle = new NpgsqlBatchCommand(SettleSql);
                settle.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
                batch.BatchCommands.Add(tell);
                batch.BatchCommands.Add(settle);
                await batch.ExecuteNonQueryAsync(stoppingToken);
                if (tell.RecordsAffected > 0)
                {
                    logger.LogInformation("{Count} offline notifications silenced by maintenance windows that have ended are told now", tell.RecordsAffected);
                    signal.Wake();
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL away: nothing is lost (the rows wait); try again on the next tick.
                logger.LogWarning(e, "Telling what ended maintenance windows silenced failed; trying again in {Interval}", Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
