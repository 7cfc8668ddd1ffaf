using System.Text.Json;
using Heartbeat.Contracts.Messages;
using Heartbeat.ServiceDefaults.Machines;
using Npgsql;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// Ends flapping episodes: once a machine has held one state for the window (<see cref="Flapping.IsStableAgain"/>,
/// from the episode's stored last transition, so a restart in between changes nothing), the episode is closed and a
/// <c>stable</c> notice ("stable again", event <c>machine.flapping</c>, with the state it settled in) is recorded per
/// channel, keyed <c>episode:channel:stable</c>, in the same transaction. The update takes each episode once: a second
/// replica running this loop finds it closed. A channel that was not told the flapping is not told its end.
/// Runs in every replica, once an <see cref="Interval"/>, and forgets transitions too old to be judged against.
/// </summary>
public sealed class FlappingEnd(NpgsqlDataSource database, QuietLookup quiet, FlappingOptions options, DispatchSignal signal, TimeProvider time, ILogger<FlappingEnd> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private const string EndSql = """
        update notifier.flapping_episodes set ended_at = $1
        where ended_at is null and last_transition_at <= $2
        returning id, last_transition_at, last_kind, transitions, machine::text
        """;

    /// <summary>
    /// Transitions are judged against the window before them: older than two windows, none is read again (short of a
    /// transition arriving a whole window late), so the table holds only the last hour or so of the fleet's transitions.
    /// </summary>
    private const string ForgetSql = "delete from notifier.flapping_transitions where occurred_at < $1";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                if (await EndAsync(stoppingToken) is > 0 and var ended)
                {
                    logger.LogInformation("{Count} flapping machines are stable again", ended);
                    signal.Wake();
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL away: nothing is lost (the episodes stay open); the next tick ends them.
                logger.LogWarning(e, "Ending flapping episodes failed; trying again in {Interval}", Interval);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<int> EndAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var notices = new List<Notice>();
        await using (var command = new NpgsqlCommand(EndSql, connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now - options.Window });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var machine = JsonSerializer.Deserialize<MachineSnapshot>(reader.GetString(4), FlappingEpisodes.Json)!;
                var last = reader.GetFieldValue<DateTimeOffset>(1);
                notices.Add(new Notice(new Notification(Notification.StableAgain, machine, reader.GetGuid(0), last + options.Window, null,
                    Transitions: reader.GetInt32(3), Window: options.Window, State: reader.GetString(2)), Follows: Notification.FlappingStarted));
            }
        }
        await using (var forget = new NpgsqlCommand(ForgetSql, connection, transaction))
        {
            forget.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now - 2 * options.Window });
            await forget.ExecuteNonQueryAsync(ct);
        }
        if (notices.Count == 0)
        {
            await transaction.CommitAsync(ct);
            return 0;
        }
        var (channels, windows) = await quiet.LoadAsync();
        var routed = TransitionRouting.Route(notices.Select(n => n.Notification).ToList(), channels, windows, _ => null, _ => false);
        await NoticeRows.InsertAsync(connection, transaction, notices, routed, now);
        await transaction.CommitAsync(ct);
        return notices.Count;
    }
}
