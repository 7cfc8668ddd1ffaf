using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Threading.RateLimiting;
using Heartbeat.ServiceDefaults;
using Microsoft.Extensions.Options;

namespace Heartbeat.Ingest.Heartbeats;

public sealed class RateLimitOptions
{
    /// <summary>Sustained heartbeats per second one machine may send. RateLimits:HeartbeatsPerSecond; default 1.</summary>
    [Range(0.001, 100_000)] public double HeartbeatsPerSecond { get; set; } = 1;

    /// <summary>Heartbeats one machine may send at once above the sustained rate. RateLimits:HeartbeatBurst; default 10.</summary>
    [Range(1, 100_000)] public int HeartbeatBurst { get; set; } = 10;

    /// <summary>Failed authentications one client address may make per second, sustained. RateLimits:FailedAuthenticationsPerSecond; default 1.</summary>
    [Range(0.001, 100_000)] public double FailedAuthenticationsPerSecond { get; set; } = 1;

    /// <summary>Failed authentications one client address may make at once. RateLimits:FailedAuthenticationBurst; default 30.</summary>
    [Range(1, 100_000)] public int FailedAuthenticationBurst { get; set; } = 30;

    /// <summary>How long an unknown machine id is remembered as unknown, so retries cost no database read. RateLimits:UnknownMachineCacheFor; default 10 s.</summary>
    public TimeSpan UnknownMachineCacheFor { get; set; } = TimeSpan.FromSeconds(10);

    public static void Bind(RateLimitOptions o, IConfiguration c)
    {
        c.GetSection("RateLimits").Bind(o, b => b.ErrorOnUnknownConfiguration = false);
        o.UnknownMachineCacheFor = Durations.Read(c, TimeSpan.FromSeconds(10), "RateLimits:UnknownMachineCacheFor");
    }
}

/// <summary>
/// Intake's rate limits, token buckets from the built-in rate limiting (System.Threading.RateLimiting, what
/// ASP.NET Core's middleware uses). They are taken inside the handler rather than by the middleware because
/// of what they key on: a machine's bucket is only spent by requests that proved they are that machine —
/// otherwise anyone who knows a machine id could use up its bucket and have it declared offline — and a
/// client address's bucket only by its failed authentications.
/// </summary>
public sealed class HeartbeatRateLimits : IDisposable
{
    private readonly PartitionedRateLimiter<Guid> _perMachine;
    private readonly PartitionedRateLimiter<IPAddress> _failedAuthentications;

    public HeartbeatRateLimits(IOptions<RateLimitOptions> options)
    {
        var o = options.Value;
        _perMachine = PartitionedRateLimiter.Create<Guid, Guid>(id =>
            RateLimitPartition.GetTokenBucketLimiter(id, _ => Bucket(o.HeartbeatsPerSecond, o.HeartbeatBurst)));
        _failedAuthentications = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address =>
            RateLimitPartition.GetTokenBucketLimiter(address, _ => Bucket(o.FailedAuthenticationsPerSecond, o.FailedAuthenticationBurst)));
    }

    /// <summary>Takes one heartbeat from the machine's bucket; when it is empty, says how long until the next is accepted.</summary>
    public bool TryAcceptHeartbeat(Guid machineId, out TimeSpan retryAfter) => TryTake(_perMachine, machineId, out retryAfter);

    /// <summary>Whether the address has used up its failed authentications; checked before anything costs a lookup.</summary>
    public bool AuthenticationBlocked(IPAddress address) =>
        _failedAuthentications.GetStatistics(address) is { CurrentAvailablePermits: <= 0 };

    /// <summary>Counts a failed authentication; false (with the wait) once the address has none left.</summary>
    public bool TryCountFailedAuthentication(IPAddress address, out TimeSpan retryAfter) => TryTake(_failedAuthentications, address, out retryAfter);

    private static bool TryTake<T>(PartitionedRateLimiter<T> limiter, T key, out TimeSpan retryAfter)
    {
        using var lease = limiter.AttemptAcquire(key);
        retryAfter = lease.IsAcquired || !lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? TimeSpan.Zero : wait;
        if (!lease.IsAcquired && retryAfter <= TimeSpan.Zero) retryAfter = TimeSpan.FromSeconds(1);
        return lease.IsAcquired;
    }

    /// <summary>
    /// A bucket refilled at <paramref name="perSecond"/>: whole tokens each second from 1/s up, one token per
    /// 1/rate seconds below (the partitioned limiter refills on a 100 ms timer, so periods stay at a second or more).
    /// </summary>
    private static TokenBucketRateLimiterOptions Bucket(double perSecond, int burst) => new()
    {
        TokenLimit = burst,
        TokensPerPeriod = perSecond >= 1 ? (int)perSecond : 1,
        ReplenishmentPeriod = perSecond >= 1 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(1 / perSecond),
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    public void Dispose()
    {
        _perMachine.Dispose();
        _failedAuthentications.Dispose();
    }
}
