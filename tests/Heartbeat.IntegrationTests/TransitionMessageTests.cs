using System.Collections.Concurrent;
using Heartbeat.Contracts.Messages;
using Heartbeat.IntegrationTests.Platform;
using MassTransit;

namespace Heartbeat.IntegrationTests;

/// <summary>Other services subscribe to transitions on RabbitMQ, as this test does with a queue of its own.</summary>
[Collection(PlatformCollection.Name)]
public class TransitionMessageTests(PlatformFixture platform)
{
    [Fact]
    public async Task Transitions_are_published_with_the_stored_event_id_as_message_id()
    {
        var offline = new ConcurrentDictionary<Guid, (Guid? MessageId, MachineWentOffline Message)>();
        var online = new ConcurrentDictionary<Guid, (Guid? MessageId, MachineWentOnline Message)>();
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(new Uri(platform.RabbitMqUri));
            // Only the first of each: with a 1 s threshold the machine soon starts a second episode.
            cfg.ReceiveEndpoint(new TemporaryEndpointDefinition(), e =>
            {
                e.Handler<MachineWentOffline>(c => { offline.TryAdd(c.Message.Machine.Id, (c.MessageId, c.Message)); return Task.CompletedTask; });
                e.Handler<MachineWentOnline>(c => { online.TryAdd(c.Message.Machine.Id, (c.MessageId, c.Message)); return Task.CompletedTask; });
            });
        });
        await bus.StartAsync();
        try
        {
            var machine = await platform.RegisterAsync(thresholdSeconds: 1);
            await platform.SendHeartbeatAsync(machine);
            var wentOffline = await Eventually.Async(() => Task.FromResult(offline.GetValueOrDefault(machine.Id)), m => m.Message is not null, "MachineWentOffline consumed");
            await platform.SendHeartbeatAsync(machine);
            var wentOnline = await Eventually.Async(() => Task.FromResult(online.GetValueOrDefault(machine.Id)), m => m.Message is not null, "MachineWentOnline consumed");

            Assert.Equal(await StoredEventIdAsync(machine.Id, "machine_went_offline"), wentOffline.MessageId);
            Assert.Equal(await StoredEventIdAsync(machine.Id, "machine_went_online"), wentOnline.MessageId);
            Assert.Equal(machine.Name, wentOffline.Message.Machine.Name);
            Assert.Equal(wentOffline.Message.EpisodeId, wentOnline.Message.EpisodeId);
            Assert.Equal(TimeSpan.FromSeconds(1), wentOffline.Message.Threshold);
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    private async Task<Guid> StoredEventIdAsync(Guid machineId, string type)
    {
        await using var command = platform.Database.CreateCommand(
            "select id from heartbeat_events.mt_events where stream_id = $1 and type = $2 order by seq_id limit 1");
        command.Parameters.AddWithValue(machineId);
        command.Parameters.AddWithValue(type);
        return (Guid)(await command.ExecuteScalarAsync())!;
    }
}
