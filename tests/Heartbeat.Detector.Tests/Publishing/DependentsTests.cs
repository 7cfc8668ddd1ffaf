using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Publishing;
using Heartbeat.Detector.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace Heartbeat.Detector.Tests.Publishing;

/// <summary>How many machines behind an offline parent its notification counts as unreachable.</summary>
public class DependentsTests
{
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 3, 0, 0, TimeSpan.Zero));

    private TrackedMachine Machine(string name, TrackedMachine? parent = null, TimeSpan? interval = null) =>
        TrackedMachine.Create(new MachineRegistered(Guid.CreateVersion7(), name, null, null, [], TimeSpan.FromMinutes(2), interval, "h",
            _clock.GetUtcNow().AddDays(-1), DependsOn: parent?.Id), 1) with { LastSeenAt = _clock.GetUtcNow() };

    private static TrackedMachine Offline(TrackedMachine m) =>
        m.Apply(new MachineWentOffline(m.Id, m.LastSeenAt, m.LastSeenAt!.Value.AddMinutes(2), TimeSpan.FromMinutes(2), Guid.CreateVersion7()), m.Version + 1);

    private int Count(TrackedMachine parent, params TrackedMachine[] fleet) =>
        Dependents.Unreachable(parent.Id, Dependents.ByParent(fleet.Append(parent)), _clock.GetUtcNow(), DefaultInterval);

    [Fact]
    public void Children_and_theirs_silent_past_their_expected_interval_count_and_one_still_heard_from_does_not()
    {
        var @switch = Machine("switch-3");
        var host = Machine("host", @switch);
        var vm = Machine("vm", host, interval: TimeSpan.FromSeconds(10));
        var chatty = Machine("chatty", @switch);
        _clock.Advance(TimeSpan.FromSeconds(20));
        chatty = chatty with { LastSeenAt = _clock.GetUtcNow() };

        // 20 s after they were last heard from: only the vm (10 s interval) is silent past its interval.
        Assert.Equal(1, Count(@switch, host, vm, chatty));

        _clock.Advance(TimeSpan.FromSeconds(11)); // 31 s: the host (30 s default) too; chatty was heard 11 s ago
        Assert.Equal(2, Count(@switch, host, vm, chatty));
    }

    [Fact]
    public void A_child_already_offline_or_never_seen_counts_a_paused_or_retired_one_does_not()
    {
        var @switch = Machine("switch-3");
        var offline = Offline(Machine("offline", @switch));
        var never = Machine("never", @switch) with { LastSeenAt = null };
        var paused = Machine("paused", @switch) with { Paused = true, LastSeenAt = null };
        var retired = Machine("retired", @switch) with { Retired = true, LastSeenAt = null };

        Assert.Equal(2, Count(@switch, offline, never, paused, retired));
    }

    [Fact]
    public void A_cycle_of_dependencies_counts_each_machine_once_and_never_the_parent_itself()
    {
        var a = Machine("a");
        var b = Machine("b", a) with { LastSeenAt = null };
        a = a with { DependsOn = b.Id };

        Assert.Equal(1, Count(a, b));
        Assert.Equal(0, Count(Machine("alone")));
    }
}
