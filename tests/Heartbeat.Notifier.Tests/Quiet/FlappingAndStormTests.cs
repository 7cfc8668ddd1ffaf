using Heartbeat.Notifier.Quiet;
using Heartbeat.ServiceDefaults.Machines;

namespace Heartbeat.Notifier.Tests.Quiet;

public class FlappingAndStormTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly FlappingOptions FiveIn30Minutes = new();
    private static IEnumerable<DateTimeOffset> MinutesAgo(params int[] minutes) => minutes.Select(m => Now.AddMinutes(-m));

    [Fact]
    public void Five_transitions_in_the_window_is_not_yet_flapping_six_is() 
    {
        Assert.False(Flapping.IsFlapping(MinutesAgo(0, 5, 10, 15, 20), Now, FiveIn30Minutes));
        Assert.True(Flapping.IsFlapping(MinutesAgo(0, 5, 10, 15, 20, 25), Now, FiveIn30Minutes));
    }

    [Fact]
    public void Transitions_older_than_the_window_do_not_count() =>
        Assert.False(Flapping.IsFlapping(MinutesAgo(0, 5, 10, 15, 20, 30, 45), Now, FiveIn30Minutes));

    [Fact]
    public void Stable_again_after_one_state_held_for_a_whole_window()
    {
        Assert.False(Flapping.IsStableAgain(Now.AddMinutes(-29), Now, FiveIn30Minutes));
        Assert.True(Flapping.IsStableAgain(Now.AddMinutes(-30), Now, FiveIn30Minutes));
    }

    [Fact]
    public void The_first_twenty_in_a_window_go_alone_the_twenty_first_into_a_digest()
    {
        var options = new StormOptions();
        var twenty = Enumerable.Range(1, 20).Select(i => Now.AddSeconds(-i));
        var nineteen = Enumerable.Range(1, 19).Select(i => Now.AddSeconds(-i));
        Assert.False(Storm.GoesIntoDigest(nineteen, Now, options));
        Assert.True(Storm.GoesIntoDigest(twenty, Now, options));
        Assert.Equal(Now.AddSeconds(30), Storm.DigestDueAt(Now, options));
    }

    [Fact]
    public void A_storm_is_over_once_a_window_passes_below_the_threshold()
    {
        var options = new StormOptions();
        var earlierStorm = Enumerable.Range(31, 40).Select(i => Now.AddSeconds(-i));
        Assert.False(Storm.GoesIntoDigest(earlierStorm, Now, options));
    }
}
