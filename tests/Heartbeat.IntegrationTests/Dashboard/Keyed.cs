using System.Net.Http.Headers;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;
using Refit;

namespace Heartbeat.IntegrationTests.Dashboard;

/// <summary>Clients of the gateway presenting a given key (or none), as a user with that key would call.</summary>
public static class Keyed
{
    public static HttpClient Http(PlatformFixture platform, string? key)
    {
        var http = new HttpClient { BaseAddress = platform.Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    public static T Api<T>(PlatformFixture platform, string? key) =>
        RestService.For<T>(Http(platform, key), new RefitSettings(new SystemTextJsonContentSerializer(HeartbeatJson.Options)));
}
