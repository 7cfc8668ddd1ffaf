using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Detection;

namespace Heartbeat.Detector.Tests.Detection;

public class IntakeDecisionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Grace = TimeSpan.FromMilliseconds(250);
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 3, 12, 0, TimeSpan.Zero);

    private static (IntakeWatch, IReadOnlyList<object>) Observe(IntakeWatch watch, DateTimeOffset? canary, DateTimeOffset now) =>
        IntakeDecisions.Observe(watch, canary, now, Timeout, "gateway down", Guid.CreateVersion7());

    [Fact]
    public void Nothing_is_judged_before_the_first_canary_of_a_term()
    {
        var watch = new IntakeWatch(T0, T0, ArrivedThisTerm: false, Open: null);

        Assert.Equal(DateTimeOffset.MinValue, IntakeDecisions.JudgeableUntil(watch, Interval, Grace));

        var (arrived, events) = Observe(watch, T0.AddSeconds(1), T0.AddSeconds(1));
        Assert.Empty(events);
        Assert.Equal(T0.AddSeconds(1) + Interval + Grace, IntakeDecisions.JudgeableUntil(arrived, Interval, Grace));
    }

    [Fact]
    public void A_canary_overdue_on_the_detector_clock_opens_an_interruption_from_its_last_heartbeat_once()
    {
        var (watch, _) = Observe(new IntakeWatch(null, T0, false, null), T0, T0);

        var (still, none) = Observe(watch, T0, T0 + Timeout);
        Assert.Empty(none);

        var (interrupted, events) = Observe(still, T0, T0 + Timeout + TimeSpan.FromMilliseconds(1));
        var e = Assert.IsType<IntakeInterrupted>(Assert.Single(events));
        Assert.Equal(T0, e.Start);
        Assert.Equal("gateway down", e.Cause);
        Assert.Equal(DateTimeOffset.MinValue, IntakeDecisions.JudgeableUntil(interrupted, Interval, Grace));

        var (_, again) = Observe(interrupted, T0, T0.AddSeconds(30));
        Assert.Empty(again);
    }

    [Fact]
    public void The_next_canary_restores_intake_with_the_interruption_as_its_length()
    {
        var (watch, _) = Observe(new IntakeWatch(null, T0, false, null), T0, T0);
        var (interrupted, opened) = Observe(watch, T0, T0.AddSeconds(4));
        var id = Assert.IsType<IntakeInterrupted>(Assert.Single(opened)).IncidentId;

        var (restored, events) = Observe(interrupted, T0.AddSeconds(10), T0.AddSeconds(10.2));

        var e = Assert.IsType<IntakeRestored>(Assert.Single(events));
        Assert.Equal(id, e.IncidentId);
        Assert.Equal((T0, T0.AddSeconds(10), TimeSpan.FromSeconds(10)), (e.Start, e.End, e.Duration));
        Assert.Null(restored.Open);
    }

    [Fact]
    public void A_long_gap_between_two_canaries_read_at_once_is_recorded_whole()
    {
        var (watch, _) = Observe(new IntakeWatch(null, T0, false, null), T0, T0);

        var (_, events) = Observe(watch, T0.AddSeconds(5), T0.AddSeconds(2));

        Assert.Collection(events,
            e => Assert.Equal(T0, Assert.IsType<IntakeInterrupted>(e).Start),
            e => Assert.Equal(TimeSpan.FromSeconds(5), Assert.IsType<IntakeRestored>(e).Duration));
    }

    [Fact]
    public void An_interruption_moves_a_deadline_by_its_length_plus_one_expected_interval()
    {
        var given = new Given(threshold: TimeSpan.FromSeconds(10));
        given.Heartbeat();
        var lastSeen = given.Now;
        var interruption = new IntakeInterruption(Guid.CreateVersion7(), lastSeen.AddSeconds(2), lastSeen.AddSeconds(22), "ingest frozen");

        var deadline = IntakeDecisions.EffectiveDeadline(given.Machine, Given.DefaultThreshold, TimeSpan.FromSeconds(30), [interruption]);

        Assert.Equal(lastSeen.AddSeconds(10 + 20 + 30), deadline);
    }

    [Fact]
    public void Interruptions_before_the_last_heartbeat_or_after_the_deadline_move_nothing_and_an_open_one_moves_it_out_of_reach()
    {
        var given = new Given(threshold: TimeSpan.FromSeconds(10));
        given.Wait(TimeSpan.FromMinutes(1));
        given.Heartbeat();
        var lastSeen = given.Now;
        var before = new IntakeInterruption(Guid.CreateVersion7(), lastSeen.AddSeconds(-30), lastSeen.AddSeconds(-5), "earlier");
        var after = new IntakeInterruption(Guid.CreateVersion7(), lastSeen.AddSeconds(11), lastSeen.AddSeconds(20), "later");
        var open = new IntakeInterruption(Guid.CreateVersion7(), lastSeen.AddSeconds(5), null, "now");

        Assert.Equal(lastSeen.AddSeconds(10), IntakeDecisions.EffectiveDeadline(given.Machine, Given.DefaultThreshold, TimeSpan.FromSeconds(30), [before, after]));
        Assert.Equal(DateTimeOffset.MaxValue, IntakeDecisions.EffectiveDeadline(given.Machine, Given.DefaultThreshold, TimeSpan.FromSeconds(30), [open]));
    }
}

public class UnwatchedHoleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 3, 12, 0, TimeSpan.Zero);

    [Fact]
    public void Heartbeats_that_kept_arriving_leave_no_hole()
    {
        var received = Enumerable.Range(1, 30).Select(s => T0.AddSeconds(s));

        Assert.Empty(IntakeDecisions.Holes(T0, received, T0.AddSeconds(31), TimeSpan.FromSeconds(3), "x"));
    }

    [Fact]
    public void A_stretch_without_any_heartbeat_is_a_hole_and_one_reaching_now_stays_open()
    {
        DateTimeOffset[] received = [T0.AddSeconds(1), T0.AddSeconds(2), T0.AddSeconds(12), T0.AddSeconds(13)];

        var holes = IntakeDecisions.Holes(T0, received, T0.AddSeconds(20), TimeSpan.FromSeconds(3), "PostgreSQL down");

        Assert.Collection(holes,
            h => Assert.Equal((T0.AddSeconds(2), (DateTimeOffset?)T0.AddSeconds(12)), (h.Start, h.End)),
            h => Assert.Equal((T0.AddSeconds(13), (DateTimeOffset?)null), (h.Start, h.End)));
    }
}
