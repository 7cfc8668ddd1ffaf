using Heartbeat.Detector.Canary;

namespace Heartbeat.Detector.Tests.Leadership;

public class CanaryReaperTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan After = TimeSpan.FromMinutes(1);

    [Fact]
    public void A_canary_silent_long_before_the_newest_is_abandoned()
    {
        Guid live = Guid.CreateVersion7(), crashed = Guid.CreateVersion7(), recent = Guid.CreateVersion7();
        var abandoned = CanaryReaper.Abandoned([(live, T0.AddMinutes(10)), (crashed, T0), (recent, T0.AddMinutes(9.5))], own: live, After);
        Assert.Equal([crashed], abandoned);
    }

    [Fact]
    public void An_intake_interruption_makes_no_canary_look_abandoned()
    {
        // Every canary stopped at the same time (gateway down for an hour): measured against each other, none is.
        Guid a = Guid.CreateVersion7(), b = Guid.CreateVersion7();
        Assert.Empty(CanaryReaper.Abandoned([(a, T0), (b, T0.AddSeconds(-1))], own: a, After));
    }

    [Fact]
    public void This_instances_own_canary_is_never_abandoned()
    {
        Guid own = Guid.CreateVersion7(), other = Guid.CreateVersion7();
        Assert.Empty(CanaryReaper.Abandoned([(own, T0), (other, T0.AddMinutes(5))], own, After));
    }
}
