using System.Text.Json;
using Heartbeat.Contracts.Events;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace Heartbeat.Detector.Tracking;

/// <summary>
/// Each machine's last N heartbeats (Detector:RecentHeartbeats, default 50), so detail views read them
/// without scanning heartbeat batches. A ring per machine: heartbeat number k goes to slot k mod N, an
/// upsert, so the table holds at most N rows a machine and needs no deletes. Written by the tracker in the
/// same statement as last seen (<see cref="LastSeenTable"/>), in the transaction of its progress.
/// </summary>
public static class RecentHeartbeats
{
    public const string Name = "machine_recent_heartbeats";

    public static Table Definition(string schema)
    {
        var table = new Table($"{schema}.{Name}");
        table.AddColumn<Guid>("machine_id").AsPrimaryKey();
        table.AddColumn<int>("slot").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("received_at").NotNull();
        table.AddColumn<string>("source").NotNull();
        table.AddColumn<string>("reported_status").NotNull();
        table.AddColumn<string>("agent_version");
        table.AddColumn<string>("message");
        table.AddColumn("metrics", "jsonb");
        // Every write replaces a row in place: room on the page keeps those updates HOT (no index churn).
        table.FillFactor = 70;
        return table;
    }

    /// <summary>The slot the machine's newest heartbeat (already counted in <see cref="TrackedMachine.HeartbeatCount"/>) goes to.</summary>
    public static int SlotOf(TrackedMachine machine, int keep) => (int)((machine.HeartbeatCount - 1) % keep);

    /// <summary>The upsert of a page's heartbeats, keyed (machine, slot); a CTE of the last-seen statement.</summary>
    internal static (string Sql, object[] Parameters) Upsert(string schema, IReadOnlyDictionary<(Guid MachineId, int Slot), HeartbeatEntry> page) => ($"""
        insert into {schema}.{Name} (machine_id, slot, received_at, source, reported_status, agent_version, message, metrics)
        select * from unnest(?::uuid[], ?::int[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[], ?::jsonb[])
        on conflict (machine_id, slot) do update set
          received_at = excluded.received_at, source = excluded.source, reported_status = excluded.reported_status,
          agent_version = excluded.agent_version, message = excluded.message, metrics = excluded.metrics
        """,
        [
            page.Keys.Select(k => k.MachineId).ToArray(),
            page.Keys.Select(k => k.Slot).ToArray(),
            page.Values.Select(h => h.ReceivedAt.ToUniversalTime()).ToArray(),
            page.Values.Select(h => h.Source.ToString()).ToArray(),
            page.Values.Select(h => h.Status.ToString()).ToArray(),
            page.Values.Select(h => h.AgentVersion).ToArray(),
            page.Values.Select(h => h.Message).ToArray(),
            page.Values.Select(h => h.Metrics is null ? null : JsonSerializer.Serialize(h.Metrics)).ToArray(),
        ]);

    /// <summary>A machine's most recent heartbeats, newest first, at most <paramref name="limit"/>.</summary>
    public static async Task<IReadOnlyList<HeartbeatEntry>> ReadAsync(
        NpgsqlDataSource dataSource, string schema, Guid machineId, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            select received_at, source, reported_status, agent_version, message, metrics::text from {schema}.{Name}
            where machine_id = $1 order by received_at desc limit $2
            """);
        command.Parameters.AddWithValue(machineId);
        command.Parameters.AddWithValue(limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var heartbeats = new List<HeartbeatEntry>();
        while (await reader.ReadAsync(ct))
        {
            heartbeats.Add(new HeartbeatEntry(
                machineId,
                reader.GetFieldValue<DateTimeOffset>(0),
                Enum.Parse<HeartbeatSource>(reader.GetString(1)),
                Enum.Parse<ReportedStatus>(reader.GetString(2)),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : JsonSerializer.Deserialize<Dictionary<string, double>>(reader.GetString(5))));
        }
        return heartbeats;
    }
}
