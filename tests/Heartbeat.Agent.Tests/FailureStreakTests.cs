using Heartbeat.Agent;
using Microsoft.Extensions.Time.Testing;

namespace Heartbeat.Agent.Tests;

public sealed class FailureStreakTests
{
    [Fact]
    public void A_streak_is_logged_once_when_it_starts_and_once_when_it_ends()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
        var output = new StringWriter();
        var streak = new FailureStreak(new AgentLog(output, clock));

        for (var i = 0; i < 100; i++)
        {
            streak.Failed(clock.GetUtcNow(), "connection refused");
            clock.Advance(TimeSpan.FromSeconds(30));
        }
        streak.Succeeded(clock.GetUtcNow());
        streak.Succeeded(clock.GetUtcNow());

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("warn heartbeat failed: connection refused", lines[0]);
        Assert.Contains("after 100 failed attempt(s) over 3000 s", lines[1]);
        Assert.Equal(0, streak.Failures);
    }
}
