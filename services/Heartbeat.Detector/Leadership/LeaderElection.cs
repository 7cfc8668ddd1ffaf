using Heartbeat.ServiceDefaults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartbeat.Detector.Leadership;

/// <summary>
/// One leader among any number of detector instances: whoever holds a PostgreSQL session-level advisory lock on a
/// dedicated connection of its own — plain, unpooled, not multiplexed, so the lock lives exactly as long as that one
/// session. A standby waits for the lock in <c>pg_advisory_lock</c>, which returns the moment the leader's session
/// lets it go, while it keeps its memory warm (<see cref="StandbyFollower"/>); the leader checks its session every
/// <see cref="DetectorOptions.LeaderPoll"/> and stops judging the moment it is gone. PostgreSQL frees the lock when the
/// leader's session ends: at once when its process dies (the kernel closes the socket), within seconds when its host
/// dies (server-side TCP keepalives set on the session). A graceful stop ends the term first thing (this service is
/// stopped before any other), then closes the session, so a standby is handed the lock within moments.
/// </summary>
public sealed class LeaderElection(
    IConfiguration configuration,
    LeaderTerm term,
    StandbyFollower follower,
    Leadership leadership,
    TimeProvider clock,
    IOptions<DetectorOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<LeaderElection> logger) : BackgroundService
{
    /// <summary>"HBDETECT": one lock per database; sharded detection would take one key per shard.</summary>
    public const long LockKey = 0x4842_4445_5445_4354;

    protected override async Task ExecuteAsync(CancellationToken hostStopping)
    {
        // The hand-over starts at the first sign of a stop (ApplicationStopping fires before any service is stopped),
        // so the lock is free while the rest of the process winds down.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(hostStopping, lifetime.ApplicationStopping);
        var stoppingToken = stopping.Token;
        var poll = options.Value.LeaderPoll;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(LockConnectionString(configuration));
                await connection.OpenAsync(stoppingToken);
                await StandByUntilLockedAsync(connection, stoppingToken);
                failures = 0;
                await LeadAsync(connection, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                failures++;
                var backOff = TimeSpan.FromMilliseconds(Math.Min(5_000, poll.TotalMilliseconds * Math.Pow(2, Math.Min(failures, 8))));
                logger.LogWarning("Leader election: {Error}; trying again in {BackOff}", e.Message, backOff);
                await Task.Delay(backOff, clock, stoppingToken);
            }
        }
    }

    /// <summary>Runs the term while the lock's session answers; ends it (and then lets the session go) when it does not, or on stop.</summary>
    private async Task LeadAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        var since = clock.GetUtcNow();
        leadership.Lead(since);
        logger.LogWarning("This detector leads since {Since:O}", since);
        using var termEnd = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var running = term.RunAsync(termEnd.Token);
        try
        {
            while (!running.IsCompleted)
            {
                await Task.WhenAny(running, Task.Delay(options.Value.LeaderPoll, clock, stoppingToken));
                if (running.IsCompleted || stoppingToken.IsCancellationRequested) break;
                await using var check = new NpgsqlCommand("select 1", connection) { CommandTimeout = 2 };
                await check.ExecuteScalarAsync(stoppingToken);
            }
            if (running.IsFaulted) await running; // a term that failed on its own: its error goes to the caller's back-off
        }
        finally
        {
            var ending = clock.GetUtcNow();
            termEnd.Cancel();
            try { await running; } catch (OperationCanceledException) { } catch (Exception e) { logger.LogWarning(e, "The leadership term ended with an error"); }
            leadership.StandBy();
            logger.LogWarning("This detector stopped leading after {Duration}; ending the term took {Ending} ms, the lock is let go now",
                clock.GetUtcNow() - since, (int)(clock.GetUtcNow() - ending).TotalMilliseconds);
        }
    }

    /// <summary>Follows the leader while waiting for the lock; returns holding it, with the following stopped.</summary>
    private async Task StandByUntilLockedAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        var locked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var following = follower.FollowAsync(locked.Task, stoppingToken);
        try
        {
            // Blocks until the lock is ours: PostgreSQL grants it to a waiter the moment the holder's session releases
            // it or ends, with no polling delay. No command timeout; a stop cancels the wait.
            await using var command = new NpgsqlCommand("select pg_advisory_lock($1)", connection) { CommandTimeout = 0 };
            command.Parameters.AddWithValue(LockKey);
            await command.ExecuteNonQueryAsync(stoppingToken);
        }
        finally
        {
            locked.TrySetResult();
            // Stopped mid-read, a page is simply not applied: memory stays at the progress it had.
            try { await following; } catch (Exception) when (stoppingToken.IsCancellationRequested) { }
        }
    }

    /// <summary>The service's database, on a connection of its own that no pool or multiplexer can share or keep alive.</summary>
    public static string LockConnectionString(IConfiguration configuration) => new NpgsqlConnectionStringBuilder(configuration.PostgresConnectionString())
    {
        Pooling = false,
        Multiplexing = false,
        Timeout = 3,
        CommandTimeout = 2,
        // Client side: notice a dead server or network within seconds.
        KeepAlive = 1,
        TcpKeepAlive = true,
        TcpKeepAliveTime = 1,
        TcpKeepAliveInterval = 1,
        // Server side: end the session (and free the lock) within ~4 s when the leader's host vanishes without closing it.
        Options = "-c tcp_keepalives_idle=1 -c tcp_keepalives_interval=1 -c tcp_keepalives_count=3",
        ApplicationName = "heartbeat-detector-leader",
    }.ConnectionString;
}
