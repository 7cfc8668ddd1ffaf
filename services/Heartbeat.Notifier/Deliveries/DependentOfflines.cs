using Npgsql;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// Dependencies (<c>depends_on</c>): while a machine's parent is offline, the machine's own offline is a consequence and
/// is suppressed (reason <c>dependency</c>). A switch and the forty machines behind it usually go dark together and
/// are found in any order, so a dependent machine's offline waits <see cref="Hold"/> (its threshold, at least
/// <see cref="MinHold"/>) before it may be sent; this loop suppresses it meanwhile if the parent's offline has come.
/// When the parent is back, a machine still offline a hold later is told after all (the same delivery, now sent).
/// "The parent is offline": an offline of it recorded with no online for that episode yet (one row per channel is
/// recorded even for channels that do not want it, so any channel's rows tell). The direct parent only: a
/// grandparent's outage silences the parent, whose offline still counts for its children.
/// Runs once an <see cref="Interval"/> in every replica; each statement is idempotent.
/// </summary>
public sealed class DependentOfflines(NpgsqlDataSource database, DispatchSignal signal, TimeProvider time, ILogger<DependentOfflines> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MinHold = TimeSpan.FromSeconds(5);

    public static TimeSpan Hold(TimeSpan threshold) => threshold > MinHold ? threshold : MinHold;

    private const string ParentOffline = """
        (select x.payload->'machine'->>'name' from notifier.deliveries x
         where x.machine_id = d.depends_on and x.kind = 'offline'
           and not exists (select 1 from notifier.deliveries y where y.episode_id = x.episode_id and y.kind = 'online')
         limit 1)
        """;

    /// <summary>Not yet sent (not even claimed once) and its parent is offline: suppressed.</summary>
    private const string SuppressSql = $"""
        update notifier.deliveries d
        set status = 'suppressed', reason = 'dependency', next_attempt_at = null,
            detail = format('behind offline machine %s', {ParentOffline})
        where d.dependency_hold is not null and d.status = 'pending' and d.attempts = 0 and {ParentOffline} is not null
        """;

    /// <summary>The parent is back (for at least the hold) and this machine is still offline: told after all.</summary>
    private const string TellSql = $"""
        update notifier.deliveries d
        set status = 'pending', next_attempt_at = $1, dependency_hold = null,
            detail = d.detail || '; told: still offline after its parent came back'
        where d.dependency_hold is not null and d.status = 'suppressed' and d.reason = 'dependency'
          and not exists (select 1 from notifier.deliveries y where y.episode_id = d.episode_id and y.kind = 'online')
          and {ParentOffline} is null
          and (select max(p.created_at) from notifier.deliveries p where p.machine_id = d.depends_on and p.kind = 'online') + d.dependency_hold <= $1
        """;

    /// <summary>Nothing more can happen to these: sent already, or the machine came back.</summary>
    private const string SettleSql = """
        update notifier.deliveries d set dependency_hold = null
        where d.dependency_hold is not null
          and (d.attempts > 0 or d.status not in ('pending', 'suppressed')
               or exists (select 1 from notifier.deliveries y where y.episode_id = d.episode_id and y.kind = 'online'))
        """;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await using var batch = database.CreateBatch();
                batch.BatchCommands.Add(new NpgsqlBatchCommand(SuppressSql));
                var tell = new NpgsqlBatchCommand(TellSql);
                tell.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow() });
                batch.BatchCommands.Add(tell);
                batch.BatchCommands.Add(new NpgsqlBatchCommand(SettleSql));
                await batch.ExecuteNonQueryAsync(stoppingToken);
                if (tell.RecordsAffected > 0) signal.Wake();
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL away: nothing is lost; the next tick decides again.
                logger.LogWarning(e, "Judging offlines behind offline parents failed; trying again in {Interval}", Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
