using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Quiet;

namespace Heartbeat.Notifier.Tests.Channels;

public class ChannelRoutingTests
{
    private static readonly ChannelDraft Webhook = new("ops", "webhook", "https://example.com/hooks", "0123456789abcdef0123", null, null, null, null);

    private static Dictionary<string, string[]> Errors(ChannelDraft draft)
    {
        var errors = new Dictionary<string, string[]>();
        ChannelRouting.Validate(draft, errors);
        return errors;
    }

    [Fact]
    public void Nothing_named_is_valid_and_means_every_machine_and_the_default_events() =>
        Assert.Empty(Errors(Webhook));

    [Fact]
    public void Machines_by_id_or_by_tag_but_not_both()
    {
        Assert.Empty(Errors(Webhook with { Machines = new MachineSelector(Tags: ["db"]) }));
        Assert.Empty(Errors(Webhook with { Machines = new MachineSelector(Ids: [Guid.NewGuid()]) }));
        Assert.Contains("machines", Errors(Webhook with { Machines = new MachineSelector([Guid.NewGuid()], ["db"]) }).Keys);
        Assert.Contains("machines", Errors(Webhook with { Machines = new MachineSelector(Tags: [" "]) }).Keys);
    }

    [Fact]
    public void Events_are_named_from_the_known_set_and_at_least_one()
    {
        Assert.Empty(Errors(Webhook with { Events = ["machine.offline", "digest", "platform.incident"] }));
        Assert.Contains("machine.exploded", Errors(Webhook with { Events = ["machine.offline", "machine.exploded"] })["events"][0]);
        Assert.Contains("events", Errors(Webhook with { Events = [] }).Keys);
    }

    [Fact]
    public void Reminders_need_a_duration_and_a_bounded_count()
    {
        Assert.Empty(Errors(Webhook with { RenotifyEvery = "1h", RenotifyMax = 3 }));
        Assert.Contains("renotify_every", Errors(Webhook with { RenotifyEvery = "soon" }).Keys);
        Assert.Contains("renotify_every", Errors(Webhook with { RenotifyEvery = "100ms" }).Keys);
        Assert.Contains("renotify_max", Errors(Webhook with { RenotifyMax = 3 }).Keys);
        Assert.Contains("renotify_max", Errors(Webhook with { RenotifyEvery = "1h", RenotifyMax = 0 }).Keys);
    }

    [Theory]
    [InlineData(5400, "90m")]
    [InlineData(7200, "2h")]
    [InlineData(86400, "1d")]
    [InlineData(45, "45s")]
    public void Durations_are_shown_in_their_largest_whole_unit(int seconds, string shown) =>
        Assert.Equal(shown, ChannelRouting.Format(TimeSpan.FromSeconds(seconds)));
}
