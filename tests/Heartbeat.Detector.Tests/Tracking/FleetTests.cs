using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Tests.Detection;
using Heartbeat.Detector.Tracking;

namespace Heartbeat.Detector.Tests.Tracking;

public class FleetTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);

    private static TrackedMachine SeenAt(DateTimeOffset lastSeen, int thresholdSeconds) => TrackedMachine.Create(
        new MachineRegistered(Guid.CreateVersion7(), "m", null, null, [], TimeSpan.FromSeconds(thresholdSeconds), null, "h", T0), 1)
        with { LastSeenAt = lastSeen };

    [Fact]
    public void Hands_out_only_machines_whose_deadline_has_passed()
    {
        var fleet = new Fleet(Given.DefaultThreshold);
        var soon = SeenAt(T0, 5);
        var later = SeenAt(T0, 60);
        fleet.Load([soon, later], seenThrough: 10);

        var due = fleet.TakeDue(T0.AddSeconds(5));

        Assert.Equal([soon.Id], due.Select(m => m.Id));
        Assert.Empty(fleet.TakeDue(T0.AddSeconds(5)));
    }

    [Fact]
    public void A_heartbeat_after_the_queue_entry_moves_the_deadline()
    {
        var fleet = new Fleet(Given.DefaultThreshold);
        var machine = SeenAt(T0, 5);
        fleet.Load([machine], seenThrough: 1);
        fleet.Commit([machine with { LastSeenAt = T0.AddSeconds(4) }], seenThrough: 2);

        Assert.Empty(fleet.TakeDue(T0.AddSeconds(5)));
        Assert.Equal([machine.Id], fleet.TakeDue(T0.AddSeconds(9)).Select(m => m.Id));
    }

    [Fact]
    public void A_requeued_machine_is_judged_again()
    {
        var fleet = new Fleet(Given.DefaultThreshold);
        var machine = SeenAt(T0, 5);
        fleet.Load([machine], seenThrough: 1);
        Assert.Single(fleet.TakeDue(T0.AddSeconds(5)));

        fleet.Requeue(machine.Id, T0.AddSeconds(6));

        Assert.Empty(fleet.TakeDue(T0.AddSeconds(5.5)));
        Assert.Single(fleet.TakeDue(T0.AddSeconds(6)));
    }

    [Fact]
    public void Progress_only_moves_forward()
    {
        var fleet = new Fleet(Given.DefaultThreshold);
        fleet.Load([], seenThrough: 50);
        fleet.Commit([], seenThrough: 40);
        Assert.Equal(50, fleet.SeenThrough);
        Assert.True(fleet.Loaded.IsCompletedSuccessfully);
    }
}

public class FleetDeadlineQueueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_standby_that_follows_without_judging_keeps_due_machines_due_and_the_queue_bounded()
    {
        var fleet = new Fleet(Heartbeat.Detector.Tests.Detection.Given.DefaultThreshold);
        var machine = TrackedMachine.Create(new MachineRegistered(Guid.CreateVersion7(), "m", null, null, [], TimeSpan.FromSeconds(5), null, "h", T0), 1);
        fleet.Load([machine], 1);
        // Ten thousand heartbeats folded, each moving the deadline, none taken by a watcher.
        for (var i = 1; i <= 10_000; i++) fleet.Commit([machine with { LastSeenAt = T0.AddSeconds(i) }], i + 1);

        Assert.Empty(fleet.TakeDue(T0.AddSeconds(10_004)));
        Assert.Equal([machine.Id], fleet.TakeDue(T0.AddSeconds(10_005)).Select(m => m.Id));
    }
}
