using Heartbeat.Notifier.Deliveries;

namespace Heartbeat.Notifier.Tests.Deliveries;

public class DeliveryTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 3, 12, 0, TimeSpan.Zero);
    private static readonly Guid ChannelId = Guid.Parse("0198f0a1-0000-7000-8000-0000000000c1");
    private static readonly Transition Offline = new(Transition.Offline, Guid.CreateVersion7(), Guid.Parse("0198f0a1-0000-7000-8000-0000000000e1"), "{}"u8.ToArray());

    [Fact]
    public void Id_is_episode_channel_and_kind()
    {
        var delivery = Delivery.Start(Offline, ChannelId, Now);

        Assert.Equal("0198f0a1-0000-7000-8000-0000000000e1:0198f0a1-0000-7000-8000-0000000000c1:offline", delivery.Id);
        Assert.NotEqual(delivery.Id, Delivery.IdFor(Offline.EpisodeId, ChannelId, Transition.Online));
    }

    [Fact]
    public void An_attempt_is_pending_and_counted()
    {
        var delivery = Delivery.Start(Offline, ChannelId, Now);

        delivery.RecordAttempt(Now);
        delivery.RecordAttempt(Now.AddSeconds(5));

        Assert.Equal(DeliveryStatus.Pending, delivery.Status);
        Assert.Equal(2, delivery.Attempts);
        Assert.False(delivery.IsSettled);
    }

    [Fact]
    public void A_delivered_delivery_is_settled_with_its_time()
    {
        var delivery = Delivery.Start(Offline, ChannelId, Now);
        delivery.RecordAttempt(Now);

        delivery.Record(SendOutcome.Delivered, Now.AddSeconds(1), lastAttempt: false);

        Assert.Equal(DeliveryStatus.Delivered, delivery.Status);
        Assert.Equal(Now.AddSeconds(1), delivery.DeliveredAt);
        Assert.True(delivery.IsSettled);
    }

    [Fact]
    public void A_permanent_failure_is_settled_as_failed_at_once()
    {
        var delivery = Delivery.Start(Offline, ChannelId, Now);
        delivery.RecordAttempt(Now);

        delivery.Record(new SendOutcome(SendResult.PermanentFailure, "The receiver answered 404 NotFound."), Now, lastAttempt: false);

        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.Equal("The receiver answered 404 NotFound.", delivery.LastError);
        Assert.True(delivery.IsSettled);
    }

    [Fact]
    public void A_transient_failure_stays_pending_for_the_next_retry()
    {
        var delivery = Delivery.Start(Offline, ChannelId, Now);
        delivery.RecordAttempt(Now);

        delivery.Record(new SendOutcome(SendResult.TransientFailure, "The receiver answered 503 ServiceUnavailable."), Now, lastAttempt: false);

        Assert.Equal(DeliveryStatus.Pending, delivery.Status);
        Assert.Null(delivery.DeliveredAt);
        Assert.Contains("503", delivery.LastError);
        Assert.False(delivery.IsSettled);
    }

    [Fact]
    public void A_transient_failure_on_the_last_retry_gives_up()
    {
        var delivery = Delivery.Start(Offline, ChannelId, Now);
        delivery.RecordAttempt(Now);

        delivery.Record(new SendOutcome(SendResult.TransientFailure, "The receiver answered 503 ServiceUnavailable."), Now, lastAttempt: true);

        Assert.Equal(DeliveryStatus.Failed, delivery.Status);
        Assert.StartsWith("Gave up after 1 attempts", delivery.LastError);
    }
}
