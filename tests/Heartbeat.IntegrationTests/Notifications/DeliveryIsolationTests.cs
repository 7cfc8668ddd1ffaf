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

            var deadLog = await Eventually.Async(async () => new DeadChannelLog(await platform.DeliveriesAsync(channel: dead.Id), ids),
                log => log.Attempted >= Math.Min(machines, 100), "the dead channel's deliveries attempted and pending", seconds: 30);
            Assert.All(deadLog.Ours, d => Assert.NotEqual("delivered", d.Status));
        }
        finally
        {
            await platform.DeleteAsync(dead, alive);
        }
    }
}

/// <summary>The newest page of the dead channel's log, said in a line should the wait for it fail.</summary>
internal sealed record DeadChannelLog(IReadOnlyList<DeliveryView> Page, IReadOnlySet<Guid> Machines)
{
    public IReadOnlyList<DeliveryView> Ours => Page.Where(d => Machines.Contains(d.MachineId)).ToList();
    public int Attempted => Ours.Count(d => d.Attempts >= 1);

    public override string ToString() =>
        $"{Page.Count} rows on the page, {Ours.Count} of this test's machines, {Attempted} attempted; by status and attempts: "
        + string.Join(", ", Ours.GroupBy(d => (d.Status, d.Attempts)).Select(g => $"{g.Key.Status}/{g.Key.Attempts}: {g.Count()}"));
}
