using Heartbeat.Contracts.Http;
using Heartbeat.Contracts.Messages;
using Heartbeat.IntegrationTests.Platform;
using MassTransit;

namespace Heartbeat.IntegrationTests.Notifications;

/// <summary>Steps the notification tests share: channels made and removed through the API, transitions published as the detector does.</summary>
public static class Channels
{
    public const string Secret = "notification-test-secret-0123456789";

    public static async Task<ChannelView> CreateAsync(this PlatformFixture platform, CreateChannelRequest request)
    {
        var response = await platform.Channels.Create(request);
        Assert.True(response.IsSuccessStatusCode, $"creating the {request.Type} channel: {response.StatusCode} {(response.Error as Refit.ApiException)?.Content}");
        return response.Content!;
    }

    public static Task<ChannelView> CreateWebhookAsync(this PlatformFixture platform, Uri url, Guid? fallback = null, string secret = Secret) =>
        platform.CreateAsync(new CreateChannelRequest($"webhook {Guid.NewGuid():N}"[..16], "webhook", url.ToString(), secret, FallbackChannelId: fallback));

    /// <summary>Removes channels at the end of a test, so later tests do not deliver to them.</summary>
    public static async Task DeleteAsync(this PlatformFixture platform, params ChannelView?[] channels)
    {
        foreach (var channel in channels)
            if (channel is not null) await platform.Channels.Delete(channel.Id);
    }

    /// <summary>A webhook body for this machine and event.</summary>
    public static bool IsFor(this ReceivedRequest request, Guid machineId, string @event) =>
        request.Body.Length > 0 && request.Json.TryGetProperty("machine", out var m) && m.GetProperty("id").GetGuid() == machineId
        && request.Json.GetProperty("event").GetString() == @event;

    public static Guid MachineOf(this ReceivedRequest request) => request.Json.GetProperty("machine").GetProperty("id").GetGuid();

    /// <summary>Publishes transition messages on RabbitMQ as the detector does (and as a redelivery would).</summary>
    public static async Task PublishAsync(this PlatformFixture platform, params object[] messages)
    {
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(new Uri(platform.RabbitMqUri)));
        await bus.StartAsync();
        try
        {
            await Task.WhenAll(messages.Select(m => bus.Publish(m, m.GetType())));
        }
        finally
        {
            await bus.StopAsync();
        }
    }

    public static (MachineWentOffline Offline, MachineWentOnline Online) MadeUpEpisode(string name)
    {
        var machine = new MachineSnapshot { Id = Guid.NewGuid(), Name = name, Hostname = $"{name}.test" };
        var now = DateTimeOffset.UtcNow;
        var episode = Guid.NewGuid();
        return (new MachineWentOffline { Machine = machine, EpisodeId = episode, LastSeenAt = now.AddSeconds(-3), DetectedAt = now, Threshold = TimeSpan.FromSeconds(3) },
                new MachineWentOnline { Machine = machine, EpisodeId = episode, OfflineSince = now, CameBackAt = now.AddSeconds(5), Downtime = TimeSpan.FromSeconds(5) });
    }

    public static async Task<IReadOnlyList<DeliveryView>> DeliveriesAsync(this PlatformFixture platform, Guid? machine = null, Guid? channel = null, string? outcome = null)
    {
        var response = await platform.Channels.Deliveries(machine, channel, outcome);
        Assert.True(response.IsSuccessStatusCode, $"delivery log: {response.StatusCode} {(response.Error as Refit.ApiException)?.Content}");
        return response.Content!;
    }
}
