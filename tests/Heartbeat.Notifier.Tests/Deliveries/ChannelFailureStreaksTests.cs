using Heartbeat.Notifier.Deliveries;

namespace Heartbeat.Notifier.Tests.Deliveries;

/// <summary>A failing channel is logged when it starts failing and when it delivers again, not once per attempt.</summary>
public class ChannelFailureStreaksTests
{
    private readonly ChannelFailureStreaks _streaks = new();
    private static readonly Guid Dead = Guid.NewGuid(), Live = Guid.NewGuid();

    [Fact]
    public void A_streak_is_told_when_it_starts_and_when_it_ends_with_how_many_attempts_failed()
    {
        Assert.Equal(ChannelChange.StartedFailing, _streaks.Observe(Dead, delivered: false, out _));
        for (var i = 0; i < 9_999; i++) Assert.Equal(ChannelChange.None, _streaks.Observe(Dead, delivered: false, out _));

        Assert.Equal(ChannelChange.DeliversAgain, _streaks.Observe(Dead, delivered: true, out var failed));
        Assert.Equal(10_000, failed);
        Assert.Equal(ChannelChange.None, _streaks.Observe(Dead, delivered: true, out _));
        Assert.Equal(ChannelChange.StartedFailing, _streaks.Observe(Dead, delivered: false, out _));
    }

    [Fact]
    public void Channels_have_streaks_of_their_own()
    {
        _streaks.Observe(Dead, delivered: false, out _);

        Assert.Equal(ChannelChange.None, _streaks.Observe(Live, delivered: true, out _));
        Assert.Equal(ChannelChange.StartedFailing, _streaks.Observe(Live, delivered: false, out _));
        Assert.Equal(ChannelChange.None, _streaks.Observe(Dead, delivered: false, out _));
    }
}
