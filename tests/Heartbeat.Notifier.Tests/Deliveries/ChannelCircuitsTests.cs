using Heartbeat.Notifier.Deliveries;
using Heartbeat.Notifier.Senders;

namespace Heartbeat.Notifier.Tests.Deliveries;

/// <summary>
/// A channel that keeps failing is not tried once per delivery: its circuit opens, one delivery at a time probes it on the
/// retry schedule, and the first probe through lets everything flow. The log hears of it at the start, at the opening and at the end.
/// </summary>
public class ChannelCircuitsTests
{
    private static readonly DeliveryOptions Defaults = new();
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private static readonly SendOutcome Refused = new(SendResult.TransientFailure, null, "Connection refused");
    private static readonly SendOutcome Gone = new(SendResult.PermanentFailure, 410, "The receiver answered 410 Gone.");
    private static readonly SendOutcome Delivered = SendOutcome.Delivered(200);
    private static readonly Guid Dead = Guid.NewGuid(), Live = Guid.NewGuid();

    private readonly ChannelCircuits _circuits = new(Defaults);

    private ChannelChange Observe(Guid channel, SendOutcome outcome, DateTimeOffset? at = null) =>
        _circuits.Observe(channel, outcome, at ?? Now, 0.5, out _);

    [Fact]
    public void Failures_in_a_row_open_the_circuit_and_then_one_probe_is_due_on_the_retry_schedule()
    {
        Assert.Equal(ChannelChange.StartedFailing, Observe(Dead, Refused));
        for (var i = 2; i < ChannelCircuits.OpenAfter; i++) Assert.Equal(ChannelChange.None, Observe(Dead, Refused));
        Assert.Empty(_circuits.Limits(Now)); // still closed: every due delivery is tried

        Assert.Equal(ChannelChange.Opened, Observe(Dead, Refused));
        Assert.Equal(Now, _circuits.OpenedAt(Dead));
        Assert.Equal(0, _circuits.Limits(Now)[Dead]); // nothing until the probe is due
        var probeAt = _circuits.ProbeAt(Dead)!.Value;
        Assert.Equal(RetrySchedule.Delay(1, Defaults, 0.5), probeAt - Now);
        Assert.Equal(1, _circuits.Limits(probeAt)[Dead]);
    }

    [Fact]
    public void One_probe_at_a_time_and_a_failed_probe_waits_longer_before_the_next()
    {
        OpenDead();
        var probeAt = _circuits.ProbeAt(Dead)!.Value;
        _circuits.Claimed(Dead);
        Assert.Equal(0, _circuits.Limits(probeAt)[Dead]); // the probe is under way

        Assert.Equal(ChannelChange.ProbeFailed, Observe(Dead, Refused, probeAt));
        var next = _circuits.ProbeAt(Dead)!.Value;
        Assert.Equal(RetrySchedule.Delay(2, Defaults, 0.5), next - probeAt);
        Assert.Equal(0, _circuits.Limits(probeAt)[Dead]);
        Assert.Equal(1, _circuits.Limits(next)[Dead]);
    }

    [Fact]
    public void Sends_still_under_way_when_it_opened_do_not_move_the_probe()
    {
        OpenDead();
        var probeAt = _circuits.ProbeAt(Dead);

        Assert.Equal(ChannelChange.None, Observe(Dead, Refused, Now.AddMilliseconds(5)));
        Assert.Equal(probeAt, _circuits.ProbeAt(Dead));
    }

    [Fact]
    public void A_receiver_asking_to_wait_is_probed_no_sooner_than_its_Retry_After()
    {
        for (var i = 0; i < ChannelCircuits.OpenAfter; i++)
            Observe(Dead, new SendOutcome(SendResult.TransientFailure, 429, "429", TimeSpan.FromMinutes(5)));

        Assert.Equal(Now.AddMinutes(5), _circuits.ProbeAt(Dead));
    }

    [Fact]
    public void A_probe_that_gets_through_closes_the_circuit_and_says_how_many_attempts_failed()
    {
        OpenDead();
        _circuits.Claimed(Dead);

        Assert.Equal(ChannelChange.DeliversAgain, _circuits.Observe(Dead, Delivered, Now.AddMinutes(1), 0.5, out var failed));
        Assert.Equal(ChannelCircuits.OpenAfter, failed);
        Assert.Empty(_circuits.Limits(Now.AddMinutes(1)));
        Assert.Null(_circuits.OpenedAt(Dead));
    }

    [Fact]
    public void An_answer_that_will_not_change_by_retrying_closes_the_circuit_the_receiver_is_there()
    {
        OpenDead();

        Assert.Equal(ChannelChange.None, Observe(Dead, Gone));
        Assert.Empty(_circuits.Limits(Now));
        // and it takes a new run of transient failures to open it again
        for (var i = 1; i < ChannelCircuits.OpenAfter; i++) Observe(Dead, Refused);
        Assert.Empty(_circuits.Limits(Now));
        Assert.Equal(ChannelChange.Opened, Observe(Dead, Refused));
    }

    [Fact]
    public void A_probe_that_ended_without_an_outcome_lets_another_probe()
    {
        OpenDead();
        var probeAt = _circuits.ProbeAt(Dead)!.Value;
        _circuits.Claimed(Dead);

        _circuits.Abandoned(Dead);
        Assert.Equal(1, _circuits.Limits(probeAt)[Dead]);
    }

    [Fact]
    public void A_streak_is_told_when_it_starts_and_when_it_ends_not_once_per_attempt()
    {
        Assert.Equal(ChannelChange.StartedFailing, Observe(Dead, Gone));
        for (var i = 0; i < 9_999; i++) Assert.Equal(ChannelChange.None, Observe(Dead, Gone));

        Assert.Equal(ChannelChange.DeliversAgain, _circuits.Observe(Dead, Delivered, Now, 0.5, out var failed));
        Assert.Equal(10_000, failed);
        Assert.Equal(ChannelChange.None, Observe(Dead, Delivered));
        Assert.Equal(ChannelChange.StartedFailing, Observe(Dead, Refused));
    }

    [Fact]
    public void Channels_have_circuits_of_their_own()
    {
        OpenDead();

        Assert.Equal(ChannelChange.None, Observe(Live, Delivered));
        Assert.Equal(ChannelChange.StartedFailing, Observe(Live, Refused));
        Assert.False(_circuits.Limits(Now).ContainsKey(Live));
        _circuits.Forget(Dead);
        Assert.Empty(_circuits.Limits(Now));
    }

    [Fact]
    public void Deliveries_wait_for_an_open_circuit_no_longer_than_their_attempts_would_have_lasted()
    {
        // 15 s, 30 s, … doubling to 15 min for the nine delays of ten attempts, at the most jitter (+20 %).
        Assert.Equal(TimeSpan.FromSeconds((15 + 30 + 60 + 120 + 240 + 480 + 900 + 900 + 900) * 1.2), RetrySchedule.Span(Defaults));
        Assert.Equal(TimeSpan.Zero, RetrySchedule.Span(new DeliveryOptions { MaxAttempts = 1 }));
    }

    private void OpenDead()
    {
        for (var i = 0; i < ChannelCircuits.OpenAfter; i++) Observe(Dead, Refused);
    }
}
