using Heartbeat.Contracts.Messages;
using Heartbeat.Notifier.Deliveries;
using Heartbeat.Notifier.Quiet;

namespace Heartbeat.Notifier.Tests.Deliveries;

public class TransitionRoutingTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static Notification Offline(string[] tags, bool paused = false, DateTimeOffset? at = null) => new(
        Notification.Offline, new MachineSnapshot { Id = Guid.NewGuid(), Name = "db-1", Tags = tags, Paused = paused }, Guid.NewGuid(), at ?? Now, Now.AddSeconds(-30));

    private static List<RoutedDelivery> Route(IReadOnlyList<Notification> transitions, IReadOnlyList<RoutedChannel> channels, params MaintenanceWindow[] windows) =>
        TransitionRouting.Route(transitions, channels, windows, _ => null, _ => false);

    [Fact]
    public void Every_channel_gets_a_decision_for_every_transition()
    {
        var all = new RoutedChannel(Guid.NewGuid(), ChannelRoute.Default);
        var onlyWeb = new RoutedChannel(Guid.NewGuid(), new ChannelRoute(new MachineSelector(Tags: ["web"]), NotificationEvents.Default));
        var routed = Route([Offline(["db"]), Offline(["WEB"])], [all, onlyWeb]);

        Assert.Equal(4, routed.Count);
        Assert.Equal(SuppressionReasons.Preference, routed.Single(r => r.Transition == 0 && r.ChannelId == onlyWeb.Id).Reason);
        Assert.All(routed.Where(r => r.ChannelId == all.Id || r.Transition == 1), r => Assert.Null(r.Reason));
    }

    [Fact]
    public void A_paused_machine_notifies_nobody()
    {
        var routed = Route([Offline([], paused: true)], [new RoutedChannel(Guid.NewGuid(), ChannelRoute.Default)]);
        Assert.Equal(SuppressionReasons.Paused, Assert.Single(routed).Reason);
    }

    [Fact]
    public void A_maintenance_suppression_names_its_window_and_when_the_occurrence_ends()
    {
        var window = new MaintenanceWindow(Guid.NewGuid(), new MachineSelector(Tags: ["db"]), Now.AddMinutes(-5), Now.AddMinutes(25));
        var routed = Assert.Single(Route([Offline(["db"])], [new RoutedChannel(Guid.NewGuid(), ChannelRoute.Default)], window));
        Assert.Equal((SuppressionReasons.Maintenance, window.Id, Now.AddMinutes(25)), (routed.Reason, routed.WindowId, routed.QuietUntil));
    }

    [Fact]
    public void A_transition_is_judged_by_the_windows_that_held_when_it_happened()
    {
        var window = new MaintenanceWindow(Guid.NewGuid(), new MachineSelector(Tags: ["db"]), Now.AddMinutes(-5), Now.AddMinutes(25));
        var before = Offline(["db"], at: Now.AddMinutes(-6));
        Assert.Null(Assert.Single(Route([before], [new RoutedChannel(Guid.NewGuid(), ChannelRoute.Default)], window)).Reason);
    }

    [Fact]
    public void Machines_from_publishers_without_tags_match_only_channels_for_all_or_by_id()
    {
        var old = new Notification(Notification.Offline, new MachineSnapshot { Id = Guid.NewGuid(), Name = "old" }, Guid.NewGuid(), Now, null);
        var byTag = new RoutedChannel(Guid.NewGuid(), new ChannelRoute(new MachineSelector(Tags: ["db"]), NotificationEvents.Default));
        var byId = new RoutedChannel(Guid.NewGuid(), new ChannelRoute(new MachineSelector(Ids: [old.Machine.Id]), NotificationEvents.Default));
        var routed = Route([old], [byTag, byId]);
        Assert.Equal(SuppressionReasons.Preference, routed.Single(r => r.ChannelId == byTag.Id).Reason);
        Assert.Null(routed.Single(r => r.ChannelId == byId.Id).Reason);
    }
}
