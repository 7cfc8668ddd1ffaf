using System.Diagnostics;
using System.Net.Sockets;
using Heartbeat.Contracts.Events;
using Heartbeat.Prober.Targets;
using Heartbeat.ServiceDefaults;
using Microsoft.AspNetCore.DataProtection;

namespace Heartbeat.Prober.Probing;

/// <summary>Runs one probe of any type within its timeout and says what it found; never throws for the machine's faults.</summary>
public sealed class Probes(IDataProtectionProvider protection, TimeProvider clock)
{
    // One client for every http probe: pooled connections to the same hosts, and redirects are not followed
    // (a 301 to a login page is not the status the probe expects).
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        UseCookies = false,
    })
    { Timeout = Timeout.InfiniteTimeSpan };

    private readonly IDataProtector _privateKeys = protection.CreateProtector(ProbeSettings.PrivateKeyPurpose);

    public async Task<ProbeOutcome> RunAsync(ProbeTarget target, CancellationToken stopping)
    {
        var probe = target.Probe!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(probe.Timeout);
        var started = Stopwatch.GetTimestamp();
        ProbeOutcome outcome;
        try
        {
            outcome = probe.Type switch
            {
                ProbeType.Tcp => new ProbeOutcome(target.Id, Now(), await TcpProbe.RunAsync(probe, timeout.Token)),
                ProbeType.Http => new ProbeOutcome(target.Id, Now(), await HttpProbe.RunAsync(_http, probe, timeout.Token)),
                _ => await SshProbe.RunAsync(target, _privateKeys, timeout.Token) with { At = Now() },
            };
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            outcome = new ProbeOutcome(target.Id, Now(), $"No answer within {probe.Timeout.TotalSeconds:0.#} s.");
        }
        HeartbeatTelemetry.Probes.Add(1,
            new KeyValuePair<string, object?>("type", probe.Type.ToString().ToLowerInvariant()),
            new KeyValuePair<string, object?>("outcome", outcome.Succeeded ? "success" : "failure"));
        HeartbeatTelemetry.ProbeDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
            new KeyValuePair<string, object?>("type", probe.Type.ToString().ToLowerInvariant()));
        return outcome;
    }

    /// <summary>The server's clock in whole microseconds, the precision heartbeats are stored with.</summary>
    private DateTimeOffset Now()
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerMicrosecond));
    }

    internal static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostNotFound or SocketError.NoData => "host not found",
        SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
        SocketError.TimedOut => "connection timed out",
        SocketError.ConnectionReset => "connection reset",
        _ => e.SocketErrorCode.ToString(),
    };
}
