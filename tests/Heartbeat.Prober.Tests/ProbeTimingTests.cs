using Heartbeat.Prober.Scheduling;

namespace Heartbeat.Prober.Tests;

public class ProbeTimingTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Ten_thousand_machines_registered_together_are_spread_over_the_interval()
    {
        // Version 7 ids made in one burst share their leading timestamp bits: the worst case for spreading.
        var ids = Enumerable.Range(0, 10_000).Select(_ => Guid.CreateVersion7(Now)).ToList();
        var perSecond = new int[30];
        foreach (var id in ids) perSecond[(int)ProbeTiming.PhaseOf(id, Interval).TotalSeconds]++;

        // Evenly spread is 333 a second; a thundering herd would put them all in one.
        Assert.All(perSecond, n => Assert.InRange(n, 333 * 0.75, 333 * 1.25));
    }

    [Fact]
    public void A_machine_is_due_once_per_interval_at_the_same_phase()
    {
        var id = Guid.CreateVersion7();
        var first = ProbeTiming.NextDue(id, Interval, Now);
        var second = ProbeTiming.NextDue(id, Interval, first);
        var third = ProbeTiming.NextDue(id, Interval, second);

        Assert.InRange(first - Now, TimeSpan.FromTicks(1), Interval);
        Assert.Equal(Interval, second - first);
        Assert.Equal(Interval, third - second);
    }

    [Fact]
    public void The_times_do_not_depend_on_when_the_prober_learned_of_the_machine()
    {
        var id = Guid.CreateVersion7();
        var fromNow = ProbeTiming.NextDue(id, Interval, Now);
        var fromLater = ProbeTiming.NextDue(id, Interval, Now.AddSeconds(7.5));

        Assert.Equal(0, (fromLater - fromNow).Ticks % Interval.Ticks);
    }

    [Fact]
    public void Due_times_are_strictly_after_the_given_instant()
    {
        var id = Guid.CreateVersion7();
        var due = ProbeTiming.NextDue(id, Interval, Now);
        Assert.Equal(due + Interval, ProbeTiming.NextDue(id, Interval, due));
    }
}
