using Heartbeat.Prober.Probing;
using Heartbeat.Prober.Scheduling;
using Heartbeat.Prober.Targets;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartbeat.Prober;

/// <summary>
/// One prober probes at a time: the one holding a PostgreSQL advisory lock. Why one and not shared between
/// replicas: the schedule, the pinned host keys and the last errors live in the leader's memory, and two probers
/// would each append a heartbeat per probe, race to pin a host key and append the same error twice; one instance
/// runs 10,000 probes every 30 s on a 2-core box (docs/benchmarks.md), so sharing buys nothing yet. Standbys wait
/// for the lock and take over within <see cref="ProberOptions.LockCheckInterval"/> of the leader's connection ending.
/// <para>
/// The lock is held on a dedicated plain Npgsql connection (no pooling, no multiplexing): a session-level advisory
/// lock belongs to one server connection, and lives exactly as long as it — a crashed leader's lock frees itself.
/// While leading: load the stored targets, start Marten's async daemon (only the follower subscription runs in
/// it) and the probe runner; on losing the connection, stop both and forget the schedule.
/// </para>
/// </summary>
public sealed class ProberLeadership(
    IDocumentStore store, ProbeSchedule schedule, ProbeRunner runner, IConfiguration configuration, IOptions<ProberOptions> options,
    ILogger<ProberLeadership> logger) : BackgroundService
{
    /// <summary>The advisory lock's key: "hb-probe" as a number, so no other lock of the platform's collides.</summary>
    public const long LockKey = 0x68622D70726F6265;

    public bool IsLeader { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(configuration.PostgresConnectionString())
        {
            Pooling = false,
            Multiplexing = false,
            KeepAlive = 5,
        }.ConnectionString;

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync(stoppingToken);
                while (!await TryLockAsync(connection, stoppingToken))
                    await Task.Delay(options.Value.LockCheckInterval, stoppingToken);
                await LeadAsync(connection, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                logger.LogWarning(e, "The prober lock's connection failed; trying again");
                await Task.Delay(options.Value.LockCheckInterval, stoppingToken);
            }
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"select pg_try_advisory_lock({LockKey})", connection);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    private async Task LeadAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        logger.LogInformation("This prober holds the prober lock and starts probing");
        using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        Task? probing = null;
        JasperFx.Events.Daemon.IProjectionDaemon? daemon = null;
        try
        {
            await using (var session = store.QuerySession())
                schedule.Set(await session.Query<ProbeTarget>().ToListAsync(stoppingToken));
            logger.LogInformation("Loaded {Count} machines, {Probed} of them probed", schedule.Count, schedule.ProbedCount);

            daemon = await store.BuildProjectionDaemonAsync();
            await daemon.StartAllAsync();
            probing = runner.RunAsync(leading.Token);
            IsLeader = true;

            // Still holding the lock while the connection answers; the lock cannot be lost any other way.
            while (true)
            {
                await Task.WhenAny(probing, Task.Delay(options.Value.LockCheckInterval, stoppingToken));
                stoppingToken.ThrowIfCancellationRequested();
                if (probing.IsCompleted) await probing; // surfaces a fault of the runner
                await using var check = new NpgsqlCommand("select 1", connection);
                await check.ExecuteScalarAsync(stoppingToken);
            }
        }
        finally
        {
            IsLeader = false;
            await leading.CancelAsync();
            if (probing is not null) await probing;
            if (daemon is not null)
            {
                await daemon.StopAllAsync();
                daemon.Dispose();
            }
            schedule.Clear();
            logger.LogInformation("This prober stopped probing");
        }
    }
}
