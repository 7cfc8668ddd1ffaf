using Heartbeat.Notifier.Deliveries;
using Heartbeat.Notifier.Senders;

namespace Heartbeat.Notifier.Tests.Deliveries;

public class RetryScheduleTests
{
    private static readonly DeliveryOptions Defaults = new();
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private static readonly SendOutcome Unavailable = new(SendResult.TransientFailure, 503, "The receiver answered 503 ServiceUnavailable.");

    [Fact]
    public void Delivered_is_settled() =>
        Assert.Equal(DeliveryStatus.Delivered, RetrySchedule.Decide(SendOutcome.Delivered(200), 1, Defaults, Now, 0.5).Status);

    [Fact]
    public void A_permanent_failure_fails_at_once_however_many_attempts_are_left()
    {
        var decision = RetrySchedule.Decide(new SendOutcome(SendResult.PermanentFailure, 404, "404"), 1, Defaults, Now, 0.5);

        Assert.True(decision.FailedForGood);
        Assert.Null(decision.NextAttemptAt);
    }

    [Fact]
    public void A_transient_failure_is_retried_later_until_the_last_attempt()
    {
        var retry = RetrySchedule.Decide(Unavailable, 9, Defaults, Now, 0.5);
        Assert.Equal(DeliveryStatus.Pending, retry.Status);
        Assert.True(retry.NextAttemptAt > Now);

        var last = RetrySchedule.Decide(Unavailable, 10, Defaults, Now, 0.5);
        Assert.True(last.FailedForGood);
        Assert.StartsWith("Gave up after 10 attempts: ", last.Error);
    }

    [Fact]
    public void The_delay_doubles_from_15_s_up_to_15_min_about_an_hour_over_ten_attempts()
    {
        var delays = Enumerable.Range(1, 9).Select(a => RetrySchedule.Delay(a, Defaults, 0.5)).ToList();

        Assert.Equal([15, 30, 60, 120, 240, 480, 900, 900, 900], delays.Select(d => d.TotalSeconds));
        Assert.InRange(delays.Sum(d => d.TotalMinutes), 55, 65);
    }

    [Theory]
    [InlineData(0.0, 0.8)]
    [InlineData(0.999, 1.2)]
    public void Jitter_spreads_the_delay_by_up_to_20_percent(double random, double factor) =>
        Assert.Equal(60 * factor, RetrySchedule.Delay(3, Defaults, random).TotalSeconds, precision: 1);

    [Fact]
    public void Retry_after_replaces_the_back_off_up_to_an_hour()
    {
        Assert.Equal(TimeSpan.FromSeconds(3), RetrySchedule.Delay(5, Defaults, 0.5, TimeSpan.FromSeconds(3)));
        Assert.Equal(TimeSpan.FromHours(1), RetrySchedule.Delay(1, Defaults, 0.5, TimeSpan.FromDays(2)));

        var throttled = RetrySchedule.Decide(Unavailable with { StatusCode = 429, RetryAfter = TimeSpan.FromSeconds(42) }, 1, Defaults, Now, 0.5);
        Assert.Equal(Now.AddSeconds(42), throttled.NextAttemptAt);
    }
}
