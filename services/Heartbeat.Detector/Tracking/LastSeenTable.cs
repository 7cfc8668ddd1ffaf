using Heartbeat.Contracts.Events;
using Marten;
using Npgsql;
using Weasel.Postgresql.Tables;

namespace Heartbeat.Detector.Tracking;

/// <summary>
/// Every machine's last heartbeat, one row each, written with one statement per tracker page in the
/// page's own transaction — the same statement that writes the page's recent heartbeats
/// (<see cref="RecentHeartbeats"/>). A per-machine document upsert for each heartbeat cost more than the
/// rest of the tracking together; this keeps restart memory exact at a fraction of that.
/// </summary>
public static class LastSeenTable
{
    public const string Name = "machine_last_seen";

    public static Table Definition(string schema)
    {
        var table = new Table($"{schema}.{Name}");
        table.AddColumn<Guid>("machine_id").AsPrimaryKey();
        table.AddColumn<DateTimeOffset>("last_seen_at").NotNull();
        table.AddColumn<string>("reported_status").NotNull();
        table.AddColumn<string>("agent_version");
        table.AddColumn<string>("message");
        table.AddColumn<long>("heartbeats").DefaultValueByExpression("0");
        return table;
    }

    /// <summary>Queues the upsert of the machines' last seen and the page's recent heartbeats into the tracker's transaction.</summary>
    public static void QueueUpsert(
        IDocumentOperations operations, string schema, IReadOnlyCollection<TrackedMachine> machines,
        IReadOnlyDictionary<(Guid MachineId, int Slot), HeartbeatEntry> recent)
    {
        if (machines.Count == 0) return;
        var (recentSql, recentParameters) = RecentHeartbeats.Upsert(schema, recent);
        operations.QueueSqlCommand($"""
            with recent as ({recentSql})
            insert into {schema}.{Name} (machine_id, last_seen_at, reported_status, agent_version, message, heartbeats)
            select * from unnest(?::uuid[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::bigint[])
            on conflict (machine_id) do update set
              last_seen_at = excluded.last_seen_at, reported_status = excluded.reported_status,
              agent_version = excluded.agent_version, message = excluded.message, heartbeats = excluded.heartbeats
            where {Name}.last_seen_at <= excluded.last_seen_at
            """,
            [
                .. recentParameters,
                machines.Select(m => m.Id).ToArray(),
                machines.Select(m => m.LastSeenAt!.Value).ToArray(),
                machines.Select(m => (m.ReportedStatus ?? ReportedStatus.Ok).ToString()).ToArray(),
                machines.Select(m => m.AgentVersion).ToArray(),
                machines.Select(m => m.Message).ToArray(),
                machines.Select(m => m.HeartbeatCount).ToArray(),
            ]);
    }

    /// <summary>Folds the stored last seen into machines loaded from their documents.</summary>
    public static async Task<List<TrackedMachine>> MergeAsync(NpgsqlConnection connection, string schema, IReadOnlyList<TrackedMachine> machines, CancellationToken ct)
    {
        var byId = machines.ToDictionary(m => m.Id);
        await using var command = new NpgsqlCommand(
            $"select machine_id, last_seen_at, reported_status, agent_version, message, coalesce(heartbeats, 0) from {schema}.{Name}", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var id = reader.GetGuid(0);
            if (!byId.TryGetValue(id, out var m)) continue;
            var lastSeen = reader.GetFieldValue<DateTimeOffset>(1);
            if (m.LastSeenAt is { } known && known >= lastSeen) continue;
            byId[id] = m with
            {
                LastSeenAt = lastSeen,
                ReportedStatus = Enum.Parse<ReportedStatus>(reader.GetString(2)),
                AgentVersion = reader.IsDBNull(3) ? null : reader.GetString(3),
                Message = reader.IsDBNull(4) ? null : reader.GetString(4),
                HeartbeatCount = Math.Max(m.HeartbeatCount, reader.GetInt64(5)),
            };
        }
        return byId.Values.ToList();
    }
}
