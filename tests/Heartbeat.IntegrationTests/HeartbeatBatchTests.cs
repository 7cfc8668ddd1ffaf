using System.Text.Json;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests;

/// <summary>Heartbeats are stored as one HeartbeatsReceived event per group commit; the single events stored before still count.</summary>
[Collection(PlatformCollection.Name)]
public class HeartbeatBatchTests(PlatformFixture platform)
{
    [Fact]
    public async Task Heartbeats_sent_at_once_are_compact_entries_of_group_commit_events()
    {
        var machines = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => platform.RegisterAsync(thresholdSeconds: 60)));

        await Task.WhenAll(machines.Select(m => platform.SendHeartbeatAsync(m)));

        // Answered after commit: every heartbeat is already an entry in the store, once.
        var ids = machines.Select(m => m.Id.ToString()).ToArray();
        await using var command = platform.Database.CreateCommand("""
            select e.seq_id, h::text from heartbeat_events.mt_events e, jsonb_array_elements(e.data->'Heartbeats') h
            where e.type = 'heartbeats_received' and h->>'m' = any($1)
            """);
        command.Parameters.AddWithValue(ids);
        var entries = new List<(long Event, JsonElement Entry)>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) entries.Add((reader.GetInt64(0), JsonDocument.Parse(reader.GetString(1)).RootElement));

        Assert.Equal(ids.Order(), entries.Select(e => e.Entry.GetProperty("m").GetString()!).Order());
        Assert.InRange(entries.Select(e => e.Event).Distinct().Count(), 1, 20);
        // An agent's plain heartbeat: machine, time; source and status left out at their defaults (agent, ok). The
        // fixture traces every request, so each also keeps its trace context ("tp"), which an untraced platform omits.
        Assert.All(entries, e => Assert.Equal(["m", "t", "tp"], e.Entry.EnumerateObject().Select(p => p.Name).Order()));
        Assert.All(entries, e => Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", e.Entry.GetProperty("tp").GetString()));
    }

    [Fact]
    public async Task A_heartbeat_stored_as_a_single_event_before_the_change_still_counts()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 60);
        var receivedAt = DateTimeOffset.UtcNow.AddSeconds(-1);
        var stamp = receivedAt.AddTicks(-(receivedAt.UtcTicks % TimeSpan.TicksPerMicrosecond));

        // Appended the way the previous version of ingest did: one heartbeat_received event in a heartbeat batch stream.
        await using (var append = platform.Database.CreateCommand("""
            select heartbeat_events.mt_quick_append_events($1, 'heartbeat_batch', '*DEFAULT*', array[$2], array['heartbeat_received'],
              array['Heartbeat.Contracts.Events.HeartbeatReceived, Heartbeat.Contracts'], array[$3::jsonb], array[null::bytea], array[now()])
            """))
        {
            append.Parameters.AddWithValue(Guid.CreateVersion7());
            append.Parameters.AddWithValue(Guid.CreateVersion7());
            append.Parameters.AddWithValue(JsonSerializer.Serialize(new
            {
                MachineId = machine.Id, ReceivedAt = stamp, Source = "Agent", AgentVersion = "0.9.0", Status = "Warning", Message = "stored before",
            }));
            await append.ExecuteNonQueryAsync();
        }
        await using (var wake = platform.Database.CreateCommand("select pg_notify('mt_events_appended', '')")) await wake.ExecuteNonQueryAsync();

        var view = await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content,
            v => v?.LastSeen == stamp, "the detector reads the old single heartbeat event", seconds: 20);
        Assert.Equal("warning", view!.Status);
        Assert.Equal("stored before", view.Message);
        Assert.Equal(3, await platform.CountEventsAsync(machine.Id)); // registration + the old heartbeat + the warning spell it began
    }

    [Fact]
    public async Task The_detector_keeps_each_machines_latest_heartbeats_newest_first()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 60);
        var sent = new List<HeartbeatAccepted>();
        foreach (var message in new[] { "first", "second", "third" })
            sent.Add(await platform.SendHeartbeatAsync(machine, new HeartbeatRequest("2.0.0", "ok", message, new Dictionary<string, double> { ["load"] = sent.Count })));

        var rows = await Eventually.Async(() => RecentAsync(machine.Id), r => r.Count == 3, "three recent heartbeats in the detector's table", seconds: 20);

        Assert.Equal(["third", "second", "first"], rows.Select(r => r.Message));
        Assert.Equal(sent.Select(s => s.Timestamp).Reverse(), rows.Select(r => r.ReceivedAt));
        Assert.All(rows, r => Assert.Equal("2.0.0", r.AgentVersion));
        Assert.Equal("{\"load\": 2}", rows[0].Metrics);
    }

    private async Task<List<(DateTimeOffset ReceivedAt, string? Message, string? AgentVersion, string? Metrics)>> RecentAsync(Guid machineId)
    {
        await using var command = platform.Database.CreateCommand("""
            select received_at, message, agent_version, metrics::text from detector.machine_recent_heartbeats
            where machine_id = $1 order by received_at desc
            """);
        command.Parameters.AddWithValue(machineId);
        var rows = new List<(DateTimeOffset, string?, string?, string?)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            rows.Add((reader.GetFieldValue<DateTimeOffset>(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        return rows;
    }
}
