using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests;

/// <summary>Retention removes old heartbeats and nothing else (the fixture runs it every second).</summary>
[Collection(PlatformCollection.Name)]
public class RetentionTests(PlatformFixture platform)
{
    [Fact]
    public async Task Old_heartbeats_are_removed_while_history_and_uptime_stay_the_same()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 1);
        await platform.RunEpisodeAsync(machine);
        var history = (await platform.Machines.History(machine.Id)).Content!.Transitions;
        var uptime = (await platform.Machines.Uptime(machine.Id, window: "24h")).Content!;
        var machineStreamEvents = await CountAsync("select count(*) from heartbeat_events.mt_events where stream_id = $1", machine.Id);
        Assert.Equal(2, await HeartbeatCountAsync(machine.Id));

        // Age this machine's heartbeat streams past the 7-day window.
        await using (var age = platform.Database.CreateCommand("""
            update heartbeat_events.mt_streams set created = now() - interval '8 days'
            where id in (select stream_id from heartbeat_events.mt_events
                         where type = 'heartbeats_received' and data->'Heartbeats' @> jsonb_build_array(jsonb_build_object('m', $1::text)))
            """))
        {
            age.Parameters.AddWithValue(machine.Id.ToString());
            await age.ExecuteNonQueryAsync();
        }

        await Eventually.Async(() => HeartbeatCountAsync(machine.Id), n => n == 0, "retention removes the aged heartbeats", seconds: 15);

        Assert.Equal(machineStreamEvents, await CountAsync("select count(*) from heartbeat_events.mt_events where stream_id = $1", machine.Id));
        Assert.Equal(history, (await platform.Machines.History(machine.Id)).Content!.Transitions);
        var after = (await platform.Machines.Uptime(machine.Id, window: "24h")).Content!;
        Assert.Equal(uptime.OfflineSeconds, after.OfflineSeconds);
        Assert.Equal(uptime.Episodes, after.Episodes);
        Assert.Equal(1, after.Episodes);
    }

    private Task<long> HeartbeatCountAsync(Guid machineId) =>
        CountAsync("""
            select count(*) from heartbeat_events.mt_events e, jsonb_array_elements(e.data->'Heartbeats') h
            where e.type = 'heartbeats_received' and h->>'m' = $1
            """, machineId.ToString());

    private async Task<long> CountAsync(string sql, object parameter)
    {
        await using var command = platform.Database.CreateCommand(sql);
        command.Parameters.AddWithValue(parameter);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
