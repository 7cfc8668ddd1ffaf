using Heartbeat.Contracts.Events;
using Heartbeat.Prober.Scheduling;
using Heartbeat.Prober.Targets;
using Microsoft.Extensions.Time.Testing;

namespace Heartbeat.Prober.Tests;

public class ProbeScheduleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    private static ProbeTarget Tcp(Guid? id = null, TimeSpan? interval = null) => new()
    {
        Id = id ?? Guid.CreateVersion7(),
        Name = "db",
        Probe = new ProbeSettings(ProbeType.Tcp, interval ?? Interval, TimeSpan.FromSeconds(5), Host: "db", Port: 5432),
    };

    [Fact]
    public void Each_probed_machine_is_taken_once_per_interval()
    {
        var schedule = new ProbeSchedule(_clock);
        var targets = Enumerable.Range(0, 100).Select(_ => Tcp()).ToList();
        schedule.Set(targets);

        var taken = new List<Guid>();
        for (var i = 0; i < 60; i++) // one minute, second by second: two intervals
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            foreach (var (target, _) in schedule.TakeDue(_clock.GetUtcNow(), 1_000))
            {
                taken.Add(target.Id);
                schedule.Finished(target.Id);
            }
        }

        Assert.All(targets, t => Assert.Equal(2, taken.Count(id => id == t.Id)));
    }

    [Fact]
    public void A_probe_is_not_taken_before_it_is_due()
    {
        var schedule = new ProbeSchedule(_clock);
        var target = Tcp();
        schedule.Set([target]);
        var due = schedule.NextDueAt()!.Value;

        Assert.Empty(schedule.TakeDue(due - TimeSpan.FromTicks(1), 10));
        Assert.Equal(target.Id, Assert.Single(schedule.TakeDue(due, 10)).Target.Id);
        Assert.Equal(due + Interval, schedule.NextDueAt());
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Paused_and_retired_machines_and_machines_without_a_probe_are_not_probed(bool paused, bool retired)
    {
        var schedule = new ProbeSchedule(_clock);
        var target = Tcp();
        schedule.Set([target, new ProbeTarget { Id = Guid.CreateVersion7(), Name = "agent" }]);
        schedule.Set([target with { Paused = paused, Retired = retired }]);

        _clock.Advance(Interval * 2);
        Assert.Empty(schedule.TakeDue(_clock.GetUtcNow(), 10));
        Assert.Null(schedule.NextDueAt());
    }

    [Fact]
    public void A_resumed_machine_is_probed_again_once_per_interval()
    {
        var schedule = new ProbeSchedule(_clock);
        var target = Tcp();
        schedule.Set([target]);
        schedule.Set([target with { Paused = true }]);
        schedule.Set([target]);

        _clock.Advance(Interval * 2 + TimeSpan.FromTicks(1));
        // Two due times passed, and the older entry from before the pause does not add a third.
        var taken = schedule.TakeDue(_clock.GetUtcNow(), 10);
        Assert.Single(taken);
    }

    [Fact]
    public void A_machine_still_being_probed_is_not_probed_twice_at_once()
    {
        var schedule = new ProbeSchedule(_clock);
        var target = Tcp(interval: TimeSpan.FromSeconds(1));
        schedule.Set([target]);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(schedule.TakeDue(_clock.GetUtcNow(), 10)); // not finished
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(schedule.TakeDue(_clock.GetUtcNow(), 10));
        schedule.Finished(target.Id);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(schedule.TakeDue(_clock.GetUtcNow(), 10));
    }

    [Fact]
    public void A_prober_far_behind_skips_missed_rounds_instead_of_bursting()
    {
        var schedule = new ProbeSchedule(_clock);
        var target = Tcp();
        schedule.Set([target]);

        _clock.Advance(Interval * 10);
        Assert.Single(schedule.TakeDue(_clock.GetUtcNow(), 10));
        schedule.Finished(target.Id);
        Assert.Empty(schedule.TakeDue(_clock.GetUtcNow(), 10));
        Assert.True(schedule.NextDueAt() > _clock.GetUtcNow());
    }

    [Fact]
    public void A_changed_probe_is_rescheduled_with_its_new_interval()
    {
        var schedule = new ProbeSchedule(_clock);
        var target = Tcp();
        schedule.Set([target]);
        var faster = target with { Probe = target.Probe! with { Interval = TimeSpan.FromSeconds(5) } };
        schedule.Set([faster]);

        var taken = 0;
        for (var i = 0; i < 30; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            foreach (var (t, _) in schedule.TakeDue(_clock.GetUtcNow(), 10))
            {
                Assert.Equal(TimeSpan.FromSeconds(5), t.Probe!.Interval);
                schedule.Finished(t.Id);
                taken++;
            }
        }
        Assert.Equal(6, taken);
    }

    [Fact]
    public void A_change_wakes_the_runner()
    {
        var schedule = new ProbeSchedule(_clock);
        var changed = schedule.Changed;
        Assert.False(changed.IsCompleted);
        schedule.Set([Tcp()]);
        Assert.True(changed.IsCompleted);
    }
}
