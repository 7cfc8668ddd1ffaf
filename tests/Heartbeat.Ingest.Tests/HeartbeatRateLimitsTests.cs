using System.Net;
using Heartbeat.Ingest.Heartbeats;
using Microsoft.Extensions.Options;

namespace Heartbeat.Ingest.Tests;

public class HeartbeatRateLimitsTests
{
    // A refill far slower than the test runs, so nothing is refilled while it does: only the burst counts.
    private static HeartbeatRateLimits Limits(int burst = 10, int failedBurst = 3) => new(Options.Create(new RateLimitOptions
    {
        HeartbeatsPerSecond = 0.001, HeartbeatBurst = burst, FailedAuthenticationsPerSecond = 0.001, FailedAuthenticationBurst = failedBurst,
    }));

    [Fact]
    public void A_machine_may_send_its_burst_and_then_is_told_when_to_retry()
    {
        using var limits = Limits(burst: 10);
        var machine = Guid.CreateVersion7();

        for (var i = 0; i < 10; i++) Assert.True(limits.TryAcceptHeartbeat(machine, out _), $"heartbeat {i + 1} of the burst");

        Assert.False(limits.TryAcceptHeartbeat(machine, out var retryAfter));
        Assert.True(retryAfter > TimeSpan.Zero, $"retry after {retryAfter}");
    }

    [Fact]
    public void One_machine_over_its_limit_does_not_limit_another()
    {
        using var limits = Limits(burst: 2);
        var noisy = Guid.CreateVersion7();
        while (limits.TryAcceptHeartbeat(noisy, out _)) { }

        Assert.True(limits.TryAcceptHeartbeat(Guid.CreateVersion7(), out _));
    }

    [Fact]
    public void An_address_is_blocked_after_its_failed_authentications_and_others_are_not()
    {
        using var limits = Limits(failedBurst: 3);
        var guesser = IPAddress.Parse("203.0.113.7");

        for (var i = 0; i < 3; i++)
        {
            Assert.False(limits.AuthenticationBlocked(guesser));
            Assert.True(limits.TryCountFailedAuthentication(guesser, out _));
        }

        Assert.True(limits.AuthenticationBlocked(guesser));
        Assert.False(limits.TryCountFailedAuthentication(guesser, out var retryAfter));
        Assert.True(retryAfter > TimeSpan.Zero);
        Assert.False(limits.AuthenticationBlocked(IPAddress.Parse("203.0.113.8")));
    }
}
