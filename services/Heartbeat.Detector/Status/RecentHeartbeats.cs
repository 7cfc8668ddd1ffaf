using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Npgsql;

namespace Heartbeat.Detector.Status;

/// <summary>
/// A machine's most recent heartbeats, newest first, for its detail and history. Reads today's store: the
/// <c>HeartbeatReceived</c> events in <c>mt_events</c>, which have no index by machine, so the scan is bounded to
/// the newest <see cref="ScanLimit"/> events. The one place to change when heartbeats get a table of their own.
/// </summary>
public static class RecentHeartbeats
{
    public const int ScanLimit = 200_000;

    public static async Task<List<HeartbeatView>> ReadAsync(
        NpgsqlDataSource dataSource, Guid machineId, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            select data from heartbeat_events.mt_events
            where seq_id > (select coalesce(max(seq_id), 0) from heartbeat_events.mt_events) - $1
              and type = 'heartbeat_received' and data->>'MachineId' = $2
              and timestamp >= $3 and timestamp <= $4
            order by seq_id desc limit $5
            """);
        command.Parameters.AddWithValue(ScanLimit);
        command.Parameters.AddWithValue(machineId.ToString());
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(to);
        command.Parameters.AddWithValue(limit);
        var heartbeats = new List<HeartbeatView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            // Stored with Marten's own options (PascalCase, enums as strings).
            var e = System.Text.Json.JsonSerializer.Deserialize<HeartbeatReceived>(reader.GetString(0), StoredJson);
            if (e is null) continue;
            heartbeats.Add(new HeartbeatView(e.ReceivedAt, e.Source.ToString().ToLowerInvariant(), e.Status.ToString().ToLowerInvariant(), e.AgentVersion, e.Message));
        }
        return heartbeats;
    }

    private static readonly System.Text.Json.JsonSerializerOptions StoredJson = new()
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };
}
