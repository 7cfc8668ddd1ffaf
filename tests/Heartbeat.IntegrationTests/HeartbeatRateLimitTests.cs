using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests;

/// <summary>Rate limits at the defaults (per machine 1/s sustained, bursts of 10; per client address 30 failed authentications).</summary>
[Collection(PlatformCollection.Name)]
public class HeartbeatRateLimitTests(PlatformFixture platform)
{
    private static async Task<HttpResponseMessage> Post(HttpClient http, Guid machineId, string token, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/heartbeat/{machineId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return await http.SendAsync(request);
    }

    private static async Task AssertTooMany(HttpResponseMessage answer)
    {
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.TooManyRequests, $"expected 429, got {answer.StatusCode}: {body}");
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        Assert.Equal(429, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());
        var retryAfter = answer.Headers.RetryAfter?.Delta;
        Assert.True(retryAfter is { } wait && wait >= TimeSpan.FromSeconds(1) && wait <= TimeSpan.FromSeconds(10), $"Retry-After: {answer.Headers.RetryAfter}");
    }

    [Fact]
    public async Task A_machine_over_its_limit_gets_429_with_retry_after_and_other_machines_are_unaffected()
    {
        var noisy = await platform.RegisterAsync(thresholdSeconds: 60);
        var quiet = await platform.RegisterAsync(thresholdSeconds: 60);

        var clock = Stopwatch.StartNew();
        var accepted = 0;
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 60 && refused is null; i++)
        {
            var answer = await Post(platform.Http, noisy.Id, noisy.Token);
            if (answer.StatusCode == HttpStatusCode.OK) accepted++;
            else refused = answer;
        }

        Assert.NotNull(refused);
        await AssertTooMany(refused);
        // The burst of 10, plus at most one a second refilled while they were sent.
        Assert.InRange(accepted, 10, 10 + (int)Math.Ceiling(clock.Elapsed.TotalSeconds) + 1);
        Assert.Equal(1 + accepted, await platform.CountEventsAsync(noisy.Id)); // the 429 stored nothing
        await platform.SendHeartbeatAsync(quiet);
    }

    [Fact]
    public async Task An_address_that_keeps_failing_authentication_gets_429_and_other_addresses_do_not()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 60);
        // Straight to ingest, as the gateway would forward it: the client address is the forwarded one, so this
        // test blocks a documentation address rather than every test's 127.0.0.1.
        using var ingest = new HttpClient { BaseAddress = platform.Ingest.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        const string guesser = "198.51.100.23";

        HttpResponseMessage? refused = null;
        var unauthorized = 0;
        for (var i = 0; i < 100 && refused is null; i++)
        {
            var answer = await Post(ingest, Guid.CreateVersion7(), "hb_guess", guesser);
            if (answer.StatusCode == HttpStatusCode.Unauthorized) unauthorized++;
            else refused = answer;
        }

        Assert.NotNull(refused);
        await AssertTooMany(refused);
        Assert.InRange(unauthorized, 30, 60);
        // Even the right token is refused from that address for now; from another address it is accepted.
        await AssertTooMany(await Post(ingest, machine.Id, machine.Token, guesser));
        var other = await Post(ingest, machine.Id, machine.Token, "198.51.100.24");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }
}
