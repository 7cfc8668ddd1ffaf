using Heartbeat.Notifier.Quiet;

namespace Heartbeat.Notifier.Tests.Quiet;

public class RoutingTests
{
    private static readonly MachineFacts Web = new(Guid.NewGuid(), "web-1", ["web", "eu"]);
    private static readonly MachineFacts Db = new(Guid.NewGuid(), "db-1", ["db"]);

    [Fact]
    public void By_default_a_channel_gets_outages_recoveries_and_what_stands_for_them_but_not_warnings()
    {
        Assert.True(ChannelRoute.Default.Wants(NotificationEvents.Offline, Web));
        Assert.True(ChannelRoute.Default.Wants(NotificationEvents.Online, Db));
        Assert.True(ChannelRoute.Default.Wants(NotificationEvents.Digest, null));
        Assert.False(ChannelRoute.Default.Wants(NotificationEvents.Warning, Web));
    }

    [Fact]
    public void A_tag_route_gets_only_machines_with_one_of_its_tags()
    {
        var route = new ChannelRoute(new MachineSelector(Tags: ["WEB"]), NotificationEvents.Default);
        Assert.True(route.Wants(NotificationEvents.Offline, Web));
        Assert.False(route.Wants(NotificationEvents.Offline, Db));
    }

    [Fact]
    public void An_id_route_gets_only_the_machines_it_names()
    {
        var route = new ChannelRoute(new MachineSelector(Ids: [Db.Id]), NotificationEvents.Default);
        Assert.False(route.Wants(NotificationEvents.Offline, Web));
        Assert.True(route.Wants(NotificationEvents.Offline, Db));
    }

    [Fact]
    public void An_event_route_gets_only_its_events_and_fleet_wide_ones_by_event_alone()
    {
        var route = new ChannelRoute(new MachineSelector(Tags: ["db"]), new HashSet<string> { NotificationEvents.Offline, NotificationEvents.Digest });
        Assert.False(route.Wants(NotificationEvents.Online, Db));
        Assert.True(route.Wants(NotificationEvents.Digest, null));
        Assert.False(route.Wants(NotificationEvents.PlatformIncident, null));
    }
}
