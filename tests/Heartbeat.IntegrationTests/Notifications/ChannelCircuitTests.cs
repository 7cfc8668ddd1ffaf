using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Notifications;

/// <summary>
/// A channel that keeps failing has its circuit opened (ChannelCircuits): its deliveries wait, one probes it at a time on
/// the retry schedule (0.5 s doubling to 2 s on the test platform), and once it answers everything that waited goes out,
/// once. Deliveries that wait longer than their retries would have lasted (~14 s here) fail for good, to the fallback.
/// </summary>
[Collection(PlatformCollection.Name)]
public class ChannelCircuitTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_receiver_that_is_down_is_probed_one_delivery_at_a_time_and_gets_everything_once_it_is_back()
    {
        const int machines = 30;
        var offlines = Enumerable.Range(0, machines).Select(i => Channels.MadeUpEpisode($"circuit-{i}").Offline).ToList();
        var ours = offlines.Select(o => o.Machine.Id).ToHashSet();
        await using var receiver = await FakeReceiver.StartAsync();
        var up = false;
        receiver.Respond = _ => Volatile.Read(ref up) ? (200, null, null) : (503, null, null);
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        try
        {
            foreach (var offline in offlines) await platform.PublishAsync(offline);
            await receiver.WaitForAsync(r => ours.Contains(r.MachineOf()), "the first refused deliveries", TimeSpan.FromSeconds(20), 5);

            // The receiver stays down for 6 s: time for several retry rounds (0.5, 1, 2, 2 s) had every delivery been retried on its own.
            await Task.Delay(TimeSpan.FromSeconds(6));
            var whileDown = receiver.Where(r => ours.Contains(r.MachineOf())).Count;
            Volatile.Write(ref up, true);

            var delivered = await receiver.WaitForAsync(r => ours.Contains(r.MachineOf()) && r.Accepted,
                "every waiting delivery once the receiver is back", TimeSpan.FromSeconds(30), machines);
            // About one call each before the circuit opened, then a probe every 0.5–2.4 s; retried one by one it would be ~4 each.
            Assert.True(whileDown <= machines + 10, $"the receiver, down, was called {whileDown} times for {machines} deliveries in ~6 s");
            await Eventually.Async(() => platform.DeliveriesAsync(channel: channel.Id),
                log => log.Count(d => ours.Contains(d.MachineId) && d.Status == "delivered") == machines, "every delivery recorded as delivered");
            Assert.Equal(machines, receiver.Where(r => ours.Contains(r.MachineOf()) && r.Accepted).Select(r => r.MachineOf()).Distinct().Count());
            Assert.Equal(machines, receiver.Where(r => ours.Contains(r.MachineOf()) && r.Accepted).Count);
            Assert.Equal(machines, delivered.Count);
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }

    [Fact]
    public async Task Deliveries_that_wait_for_a_dead_channel_longer_than_their_retries_last_go_to_the_fallback()
    {
        const int machines = 10;
        var offlines = Enumerable.Range(0, machines).Select(i => Channels.MadeUpEpisode($"expired-{i}").Offline).ToList();
        var ours = offlines.Select(o => o.Machine.Id).ToHashSet();
        await using var backup = await FakeReceiver.StartAsync();
        var fallback = await platform.CreateWebhookAsync(backup.Url("hooks"));
        var dead = await platform.CreateWebhookAsync(new Uri("http://127.0.0.1:1/hooks"), fallback: fallback.Id);
        try
        {
            foreach (var offline in offlines) await platform.PublishAsync(offline);
            var viaFallback = await backup.WaitForAsync(r => ours.Contains(r.MachineOf()) && r.Json.TryGetProperty("fallback", out _),
                "every notification at the fallback once the retries' time is over", TimeSpan.FromSeconds(60), machines);

            Assert.Equal(machines, viaFallback.Select(r => r.MachineOf()).Distinct().Count());
            var reasons = viaFallback.Select(r => r.Json.GetProperty("fallback").GetProperty("reason").GetString()!).ToList();
            Assert.All(reasons, reason => Assert.StartsWith("Gave up after ", reason));
            Assert.Contains(reasons, reason => reason.Contains("the channel has been failing since"));
            var rows = await DeadChannelRows.ReadAsync(platform, dead.Id, ours);
            Assert.Equal(0, rows.Pending);
            // Eight attempts each, had every delivery been retried on its own.
            Assert.True(rows.Attempts < machines * 4, $"the dead receiver was called {rows.Attempts} times for {machines} deliveries");
        }
        finally
        {
            await platform.DeleteAsync(dead, fallback);
        }
    }
}
