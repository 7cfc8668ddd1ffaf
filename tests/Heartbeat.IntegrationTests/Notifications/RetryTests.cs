using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Notifications;

/// <summary>The test platform retries after 0.5 s doubling to 2 s, 8 attempts in all (PlatformFixture), instead of 15 s … 15 min, 10 attempts.</summary>
[Collection(PlatformCollection.Name)]
public class RetryTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_failing_receiver_is_retried_until_it_answers_and_the_log_shows_every_attempt()
    {
        var (offline, _) = Channels.MadeUpEpisode("retry");
        await using var receiver = await FakeReceiver.StartAsync();
        var calls = 0;
        receiver.Respond = r => r.MachineOf() == offline.Machine.Id && Interlocked.Increment(ref calls) <= 2 ? (503, null, null) : (200, null, null);
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        try
        {
            await platform.PublishAsync(offline);
            await receiver.WaitForAsync(r => r.MachineOf() == offline.Machine.Id && r.Accepted, "the webhook accepted on the third attempt", TimeSpan.FromSeconds(20));

            var delivery = (await Eventually.Async(() => platform.DeliveriesAsync(machine: offline.Machine.Id, channel: channel.Id),
                log => log.Count == 1 && log[0].Status == "delivered", "the delivery recorded as delivered")).Single();
            Assert.Equal(3, delivery.Attempts);
            Assert.Equal(["transient_failure", "transient_failure", "delivered"], delivery.AttemptLog!.Select(a => a.Outcome));
            Assert.Equal([503, 503, 200], delivery.AttemptLog!.Select(a => a.StatusCode));
            Assert.Equal(3, receiver.Where(r => r.MachineOf() == offline.Machine.Id).Count);
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }

    [Fact]
    public async Task A_permanent_failure_goes_at_once_to_the_fallback_saying_which_channel_failed_and_why()
    {
        var (offline, _) = Channels.MadeUpEpisode("permanent");
        await using var gone = await FakeReceiver.StartAsync();
        gone.Respond = _ => (410, null, """{"internal":"stack trace of an internal service"}""");
        await using var backup = await FakeReceiver.StartAsync();
        var fallback = await platform.CreateWebhookAsync(backup.Url("hooks"));
        var primary = await platform.CreateWebhookAsync(gone.Url("hooks"), fallback: fallback.Id);
        try
        {
            await platform.PublishAsync(offline);
            var viaFallback = (await backup.WaitForAsync(r => r.MachineOf() == offline.Machine.Id && r.Json.TryGetProperty("fallback", out _),
                "the notification at the fallback", TimeSpan.FromSeconds(20)))[0];

            var why = viaFallback.Json.GetProperty("fallback");
            Assert.Equal(primary.Id, why.GetProperty("failed_channel_id").GetGuid());
            Assert.Equal(primary.Name, why.GetProperty("failed_channel_name").GetString());
            Assert.Contains("410", why.GetProperty("reason").GetString());
            Assert.Equal("machine.offline", viaFallback.Json.GetProperty("event").GetString());
            Assert.Single(gone.Where(r => r.MachineOf() == offline.Machine.Id)); // a 4xx other than 408/429 is not retried

            var log = await platform.DeliveriesAsync(machine: offline.Machine.Id);
            var failed = Assert.Single(log, d => d.ChannelId == primary.Id);
            Assert.Equal("failed", failed.Status);
            Assert.DoesNotContain("stack trace", failed.LastError); // the receiver's body is never recorded
            var taken = Assert.Single(log, d => d.FallbackFor == primary.Id);
            Assert.Equal(taken.Id, failed.FallbackDeliveryId);
            Assert.Equal(fallback.Id, taken.ChannelId);
        }
        finally
        {
            await platform.DeleteAsync(primary, fallback);
        }
    }

    [Fact]
    public async Task Running_out_of_attempts_goes_to_the_fallback()
    {
        var (offline, _) = Channels.MadeUpEpisode("exhausted");
        await using var backup = await FakeReceiver.StartAsync();
        var fallback = await platform.CreateWebhookAsync(backup.Url("hooks"));
        var dead = await platform.CreateWebhookAsync(new Uri("http://127.0.0.1:1/hooks"), fallback: fallback.Id);
        try
        {
            await platform.PublishAsync(offline);
            var viaFallback = (await backup.WaitForAsync(r => r.MachineOf() == offline.Machine.Id && r.Json.TryGetProperty("fallback", out _),
                "the notification at the fallback after 8 attempts", TimeSpan.FromSeconds(60)))[0];

            Assert.Contains("Gave up after 8 attempts", viaFallback.Json.GetProperty("fallback").GetProperty("reason").GetString());
            var failed = Assert.Single(await platform.DeliveriesAsync(machine: offline.Machine.Id, channel: dead.Id));
            Assert.Equal(8, failed.Attempts);
            Assert.Equal(8, failed.AttemptLog!.Count);
        }
        finally
        {
            await platform.DeleteAsync(dead, fallback);
        }
    }

    [Fact]
    public async Task A_429_is_retried_no_sooner_than_its_Retry_After()
    {
        var (offline, _) = Channels.MadeUpEpisode("throttled");
        await using var receiver = await FakeReceiver.StartAsync();
        var calls = 0;
        receiver.Respond = r => r.MachineOf() == offline.Machine.Id && Interlocked.Increment(ref calls) == 1
            ? (429, new Dictionary<string, string> { ["Retry-After"] = "3" }, null)
            : (200, null, null);
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        try
        {
            await platform.PublishAsync(offline);
            var both = await receiver.WaitForAsync(r => r.MachineOf() == offline.Machine.Id, "the throttled attempt and the retry", TimeSpan.FromSeconds(20), 2);

            // Without Retry-After the retry would come after about 0.5 s.
            var gap = both[1].ReceivedAt - both[0].ReceivedAt;
            Assert.True(gap >= TimeSpan.FromSeconds(2.9), $"retried {gap.TotalSeconds:F2} s after a 429 with Retry-After: 3");
            Assert.Equal([429, 200], both.Select(r => r.AnsweredStatus));
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }

    [Fact]
    public async Task Pending_retries_survive_a_notifier_restart_and_are_sent_once()
    {
        var (offline, _) = Channels.MadeUpEpisode("restart");
        await using var receiver = await FakeReceiver.StartAsync();
        var up = false;
        receiver.Respond = r => Volatile.Read(ref up) || r.MachineOf() != offline.Machine.Id ? (200, null, null) : (503, null, null);
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        try
        {
            await platform.PublishAsync(offline);
            await receiver.WaitForAsync(r => r.MachineOf() == offline.Machine.Id, "a first, failing attempt", TimeSpan.FromSeconds(20));

            await platform.Notifier.StopAsync();
            Volatile.Write(ref up, true);
            var attemptsBefore = receiver.Where(r => r.MachineOf() == offline.Machine.Id).Count;
            platform.Notifier.Start();
            await platform.WaitUntilReadyAsync(platform.Notifier);

            await receiver.WaitForAsync(r => r.MachineOf() == offline.Machine.Id && r.Accepted, "the retry after the restart", TimeSpan.FromSeconds(30));
            await Task.Delay(TimeSpan.FromSeconds(2)); // a window in which a duplicate would show
            Assert.Single(receiver.Where(r => r.MachineOf() == offline.Machine.Id && r.Accepted));
            var delivery = Assert.Single(await platform.DeliveriesAsync(machine: offline.Machine.Id, channel: channel.Id));
            Assert.Equal("delivered", delivery.Status);
            Assert.Equal(attemptsBefore + 1, delivery.Attempts);
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }
}
