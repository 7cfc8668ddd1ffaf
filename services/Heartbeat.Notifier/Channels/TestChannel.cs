using Heartbeat.Contracts.Http;
using Heartbeat.Contracts.Messages;
using Heartbeat.Notifier.Deliveries;
using Heartbeat.Notifier.Senders;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartbeat.Notifier.Channels;

/// <summary>
/// POST /api/channels/{id}/test: sends a made-up offline of a machine named "heartbeat-test" to the channel now, once,
/// and answers with what the receiver said. Nothing is recorded and nothing is retried.
/// </summary>
public static class TestChannel
{
    public static Outgoing Message(Guid channelId, DateTimeOffset now) => new(
        $"test:{channelId}:{now.ToUnixTimeMilliseconds()}",
        new Notification(Notification.Offline,
            new MachineSnapshot { Id = Guid.Empty, Name = "heartbeat-test", Hostname = "test.invalid", Description = "A test message from Heartbeat.Platform" },
            Guid.Empty, now, now),
        null);

    public static async Task<Results<Ok<ChannelTestResult>, ProblemHttpResult>> Handle(
        Guid id, IQuerySession session, ChannelSecrets secrets, ChannelSender sender, TimeProvider time, CancellationToken ct)
    {
        if (await session.LoadAsync<Channel>(id, ct) is not { } channel) return ChannelsApi.NotFound(id);
        var outcome = await sender.SendAsync(secrets.Open(channel), Message(id, time.GetUtcNow()), ct);
        return TypedResults.Ok(new ChannelTestResult(
            outcome.Result switch
            {
                SendResult.Delivered => DeliveryStatus.Delivered,
                SendResult.PermanentFailure => "permanent_failure",
                _ => "transient_failure",
            },
            outcome.StatusCode, outcome.Error));
    }
}
