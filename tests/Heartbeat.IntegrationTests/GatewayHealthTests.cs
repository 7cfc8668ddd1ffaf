using System.Net;
using System.Text.Json;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests;

/// <summary>GET /health aggregates every service behind the gateway, the prober included.</summary>
[Collection(PlatformCollection.Name)]
public class GatewayHealthTests(PlatformFixture platform)
{
    [Fact]
    public async Task The_platforms_health_includes_the_prober_and_is_not_ready_while_it_is_down()
    {
        using (var ready = await platform.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            Assert.Equal("ready", body.RootElement.GetProperty("services").GetProperty("prober").GetProperty("status").GetString());
        }

        await platform.Prober.StopAsync();
        try
        {
            using var down = await platform.Http.GetAsync("/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
            using var body = JsonDocument.Parse(await down.Content.ReadAsStringAsync());
            Assert.Equal(["prober"], body.RootElement.GetProperty("not_ready").EnumerateArray().Select(s => s.GetString()));
        }
        finally
        {
            platform.Prober.Start();
            await platform.WaitUntilReadyAsync(platform.Prober);
        }
    }
}
