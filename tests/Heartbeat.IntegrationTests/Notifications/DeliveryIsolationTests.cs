using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Notifications;

[Collection(PlatformCollection.Name)]
public class DeliveryIsolationTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_dead_channel_does_not_delay_a_live_one_for_many_machines_at_once()
    {
        const int machines = 150;
        await using var live = await FakeReceiver.StartAsync();
        // Nothing listens on port 1: every connection is refused, as with a receiver that is down.
        var dead = await platform.CreateWebhookAsync(new Uri("http://127.0.0.1:1/hooks"));
        var alive = await platform.CreateWebhookAsync(live.Url("hooks"));
        try
        {
            var fleet = await Task.WhenAll(Enumerable.Range(0, machines).Select(i => platform.RegisterAsync(thresholdSeconds: 1, name: $"iso-{i}")));
            await Task.WhenAll(fleet.Select(m => platform.SendHeartbeatAsync(m)));
            var ids = fleet.Select(m => m.Id).ToHashSet();

            var offline = await live.WaitForAsync(r => ids.Contains(r.MachineOf()) && r.Json.GetProperty("event").GetString() == "machine.offline",
                "offline webhooks at the live receiver", TimeSpan.FromSeconds(60), machines);
            await Task.WhenAll(fleet.Select(m => platform.Machines.Pause(m.Id)));

            // Each was told within a few seconds of its transition, although every delivery to the other channel failed.
            var lateness = offline.Select(r => r.ReceivedAt - r.Json.GetProperty("occurred_at").GetDateTimeOffset()).OrderBy(t => t).ToList();
            var p99 = lateness[(int)(lateness.Count * 0.99) - 1];
            Console.WriteLine($"{machines} machines, one dead channel: transition → live delivery p50 {lateness[lateness.Count / 2].TotalMilliseconds:F0} ms, p99 {p99.TotalMilliseconds:F0} ms, max {lateness[^1].TotalMilliseconds:F0} ms");
            Assert.True(lateness[^1] < TimeSpan.FromSeconds(10), $"the slowest live delivery took {lateness[^1].TotalSeconds:F1} s after its transition\n{platform.Logs()}");
            Assert.Equal(machines, offline.Select(r => r.MachineOf()).Distinct().Count());

            // The dead receiver was not called once per delivery, let alone once per retry: after a few refusals its circuit
            // opened, and one delivery at a time probes it (ChannelCircuits). Every delivery to it is still waiting.
            var deadRows = await Eventually.Async(() => DeadChannelRows.ReadAsync(platform, dead.Id, ids), r => r.Rows == machines,
                "a delivery row for each machine on the dead channel", seconds: 30);
            Assert.Equal(machines, deadRows.Pending);
            Assert.True(deadRows.Attempts < machines, $"the dead receiver was called {deadRows.Attempts} times for {machines} deliveries");
        }
        finally
        {
            await platform.DeleteAsync(dead, alive);
        }
    }
}

/// <summary>
/// A channel's delivery rows for a test's machines (other tests' machines, still coming and going, are told to every
/// channel too): how many, how many still pending, and how many attempts they made in all.
/// </summary>
internal sealed record DeadChannelRows(long Rows, long Pending, long Attempts)
{
    public static async Task<DeadChannelRows> ReadAsync(PlatformFixture platform, Guid channel, IEnumerable<Guid> machines)
    {
        await using var command = platform.Database.CreateCommand(
            "select count(*), count(*) filter (where status = 'pending'), coalesce(sum(attempts), 0) from notifier.deliveries where channel_id = $1 and machine_id = any($2)");
        command.Parameters.AddWithValue(channel);
        command.Parameters.AddWithValue(machines.ToArray());
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new DeadChannelRows(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
