using Heartbeat.Contracts.Messages;
using Heartbeat.IntegrationTests.Platform;
using MassTransit;

namespace Heartbeat.IntegrationTests;

[Collection(PlatformCollection.Name)]
public class NotifierRestartTests(PlatformFixture platform)
{
    /// <summary>
    /// A replica starting beside busy ones takes no lock on the delivery tables when their schema is current (SchemaSteps):
    /// its "add column if not exists" took the table's exclusive lock anyway, and once deadlocked with a busy replica.
    /// Here a reader holds the deliveries table the whole time; a schema step that wanted it exclusively would wait.
    /// </summary>
    [Fact]
    public async Task A_restarted_notifier_starts_while_the_delivery_tables_are_in_use()
    {
        await using var connection = await platform.Database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var hold = new Npgsql.NpgsqlCommand(
            "lock table notifier.deliveries, notifier.storm_transitions, notifier.maintenance_windows in access share mode", connection, transaction))
            await hold.ExecuteNonQueryAsync();

        await platform.Notifier.StopAsync();
        platform.Notifier.Start();
        await platform.WaitUntilReadyAsync(platform.Notifier, seconds: 60);
        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task Restarting_the_notifier_mid_way_sends_nothing_twice()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 1);
        await platform.SendHeartbeatAsync(machine);

        // The outage happens while the notifier is down: the transition waits in RabbitMQ.
        await platform.Notifier.StopAsync();
        var offlineStored = await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content,
            v => v?.Status == "offline", "the detector declares the machine offline", seconds: 15);
        Assert.Empty(platform.Webhooks.For(machine.Id));

        platform.Notifier.Start();
        await platform.WaitUntilReadyAsync(platform.Notifier);
        var offline = await platform.Webhooks.WaitForAsync(machine.Id, "machine.offline", TimeSpan.FromSeconds(15));
        Assert.Equal(offlineStored!.EpisodeId, offline.EpisodeId);

        // Restart again, then recover: one online webhook, and the offline one is not repeated.
        await platform.RestartAsync(platform.Notifier);
        await platform.SendHeartbeatAsync(machine);
        await platform.Webhooks.WaitForAsync(machine.Id, "machine.online", TimeSpan.FromSeconds(15));

        // (With a 1 s threshold the machine soon goes offline again: that is a new episode, not a duplicate.)
        await Task.Delay(OfflineNotificationTests.QuietWindow); // a window in which a duplicate would show
        Assert.Equal(["machine.offline", "machine.online"],
            platform.Webhooks.For(machine.Id).Where(w => w.EpisodeId == offline.EpisodeId).Select(w => w.Event));
    }

    [Fact]
    public async Task A_redelivered_transition_is_not_sent_again()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 1);
        await platform.SendHeartbeatAsync(machine);
        var offline = await platform.Webhooks.WaitForAsync(machine.Id, "machine.offline", TimeSpan.FromSeconds(8));

        // The same transition published again, as RabbitMQ would redeliver it after a lost ack.
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(platform.RabbitMqUri)));
        await bus.StartAsync();
        try
        {
            await bus.Publish(new MachineWentOffline
            {
                Machine = new MachineSnapshot { Id = machine.Id, Name = machine.Name },
                EpisodeId = offline.EpisodeId,
                DetectedAt = offline.OccurredAt,
                Threshold = TimeSpan.FromSeconds(1),
            });
        }
        finally
        {
            await bus.StopAsync();
        }

        await Task.Delay(OfflineNotificationTests.QuietWindow); // a window in which a duplicate would show
        Assert.Single(platform.Webhooks.For(machine.Id), w => w.Event == "machine.offline");
    }
}
