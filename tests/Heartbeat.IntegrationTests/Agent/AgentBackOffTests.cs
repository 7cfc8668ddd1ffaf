using Heartbeat.IntegrationTests.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Heartbeat.IntegrationTests.Agent;

/// <summary>
/// A stand-in for the gateway between the agent and the platform, which can forward, refuse (503) or hang,
/// and counts every request that reaches it: the requests a stopped gateway would have received.
/// </summary>
public sealed class OutageProxy(Uri gateway) : IAsyncDisposable
{
    public enum Mode { Forward, Refuse, Hang }

    private readonly HttpClient _forward = new() { BaseAddress = gateway };
    private readonly List<Span> _requests = [];
    private WebApplication? _app;

    /// <summary>When a request arrived, and when the proxy was done with it (answered, or saw its client give up).</summary>
    private sealed class Span(DateTimeOffset start)
    {
        public DateTimeOffset Start { get; } = start;
        public DateTimeOffset? End { get; set; }
    }

    /// <summary>
    /// An agent that gives up a hung request sends the next one at once, and the proxy can take the new request a few
    /// milliseconds before it notices the old one's connection closed: two requests in flight that the agent never had
    /// at once. Overlaps shorter than this are that race, not concurrency.
    /// </summary>
    private static readonly TimeSpan AbortNoticed = TimeSpan.FromMilliseconds(250);

    public volatile Mode Current = Mode.Forward;
    public Uri Url { get; private set; } = null!;

    /// <summary>The most requests that were in flight together, overlapping by more than <see cref="AbortNoticed"/>.</summary>
    public int MaxInFlight
    {
        get
        {
            lock (_requests)
            {
                var now = DateTimeOffset.UtcNow;
                // Each request, plus the earlier ones still in flight (by more than the race) when it arrived.
                return _requests.Select(r => 1 + _requests.Count(o => o != r && o.Start <= r.Start && (o.End ?? now) - AbortNoticed > r.Start))
                    .DefaultIfEmpty(0).Max();
            }
        }
    }

    public int RequestsBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_requests) return _requests.Count(r => r.Start >= from && r.Start < to);
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(async context =>
        {
            var span = new Span(DateTimeOffset.UtcNow);
            lock (_requests) _requests.Add(span);
            try
            {
                switch (Current)
                {
                    case Mode.Refuse:
                        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                        return;
                    case Mode.Hang:
                        await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { });
                        return;
                }
                using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString);
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body);
                request.Content = new ByteArrayContent(body.ToArray());
                if (context.Request.ContentType is { } type) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
                request.Headers.TryAddWithoutValidation("Authorization", context.Request.Headers.Authorization.ToString());
                using var response = await _forward.SendAsync(request);
                context.Response.StatusCode = (int)response.StatusCode;
                context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
                await response.Content.CopyToAsync(context.Response.Body);
            }
            finally
            {
                lock (_requests) span.End = DateTimeOffset.UtcNow;
            }
        });
        await _app.StartAsync();
        Url = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        _forward.Dispose();
    }
}

[Collection(PlatformCollection.Name)]
public sealed class AgentBackOffTests(PlatformFixture platform)
{
    [Fact]
    public async Task An_outage_costs_a_few_quick_retries_then_the_normal_rate_one_request_at_a_time_and_two_log_lines()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 60);
        await using var proxy = new OutageProxy(platform.Gateway.BaseAddress);
        await proxy.StartAsync();
        await using var agent = new AgentProcess(new Dictionary<string, string>
        {
            ["HEARTBEAT_URL"] = proxy.Url.ToString(),
            ["HEARTBEAT_MACHINE_ID"] = machine.Id.ToString(),
            ["HEARTBEAT_TOKEN"] = machine.Token,
            ["HEARTBEAT_INTERVAL"] = "1s",
        });
        await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content!, m => m.Status == "online", "online through the proxy", 30);

        // 8 s refusing, then 6 s hanging: at one heartbeat a second, the normal rate is 14 requests.
        var outageStart = DateTimeOffset.UtcNow;
        proxy.Current = OutageProxy.Mode.Refuse;
        await Task.Delay(TimeSpan.FromSeconds(8));
        proxy.Current = OutageProxy.Mode.Hang;
        await Task.Delay(TimeSpan.FromSeconds(6));
        var outageEnd = DateTimeOffset.UtcNow;
        proxy.Current = OutageProxy.Mode.Forward;

        var during = proxy.RequestsBetween(outageStart, outageEnd);
        // The schedule allows one quick retry per streak at this interval (0.5 s back-off, then the due times).
        Assert.True(during is >= 7 and <= 14 + 3, $"expected about one request a second during the 14 s outage, got {during}\n{agent.Log}");
        Assert.Equal(1, proxy.MaxInFlight);

        var back = await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content!,
            m => m.LastSeen > outageEnd, "heartbeats get through again after the outage", 30);
        // No catching up after it: the next 5 s carry the normal 5 requests, not a burst.
        var afterStart = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(5));
        var after = proxy.RequestsBetween(afterStart, afterStart.AddSeconds(5));
        Assert.True(after is >= 3 and <= 7, $"expected the normal rate after the outage, got {after} requests in 5 s\n{agent.Log}");

        Assert.Single(agent.Lines, l => l.Contains("heartbeat failed"));
        Assert.Single(agent.Lines, l => l.Contains("get through again"));
        Assert.Equal("online", back.Status);
    }
}
