using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Tracking;

namespace Heartbeat.Detector.Tests.Tracking;

/// <summary>What the detector keeps for the notifier's quiet rules: tags and the parent, carried on transition messages.</summary>
public class QuietFactsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 3, 0, 0, TimeSpan.Zero);
    private static readonly Guid Switch = Guid.CreateVersion7();

    private static TrackedMachine Registered() => TrackedMachine.Create(
        new MachineRegistered(Guid.CreateVersion7(), "web-1", null, null, ["web", "rack-7"], null, null, "h", T0, DependsOn: Switch), 1);

    private static MachineSettingsChanged Changed(IReadOnlyList<string>? tags = null, Guid? dependsOn = null) =>
        new(Guid.Empty, null, null, null, tags, null, null, T0, DependsOn: dependsOn);

    [Fact]
    public void Registration_gives_tags_and_parent()
    {
        Assert.Equal(["web", "rack-7"], Registered().Tags);
        Assert.Equal(Switch, Registered().DependsOn);
    }

    [Fact]
    public void A_settings_change_without_them_keeps_them()
    {
        var changed = Registered().Apply(Changed(), 2);
        Assert.Equal(["web", "rack-7"], changed.Tags);
        Assert.Equal(Switch, changed.DependsOn);
    }

    [Fact]
    public void A_settings_change_replaces_tags_and_parent_and_the_empty_id_removes_the_parent()
    {
        var other = Guid.CreateVersion7();
        var moved = Registered().Apply(Changed(["db"], other), 2);
        Assert.Equal(["db"], moved.Tags);
        Assert.Equal(other, moved.DependsOn);
        Assert.Null(moved.Apply(Changed(dependsOn: Guid.Empty), 3).DependsOn);
    }
}
