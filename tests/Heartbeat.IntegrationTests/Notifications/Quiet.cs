using System.Net.Http.Headers;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;
using Refit;

namespace Heartbeat.IntegrationTests.Notifications;

/// <summary>Steps the quiet-rule tests share: the maintenance API through the gateway, machines with tags of their own.</summary>
public static class Quiet
{
    public static IMaintenanceApi Maintenance(this PlatformFixture platform, string key = PlatformFixture.AdminKey)
    {
        var http = new HttpClient { BaseAddress = platform.Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return RestService.For<IMaintenanceApi>(http, new RefitSettings(new SystemTextJsonContentSerializer(HeartbeatJson.Options)));
    }

    public static async Task<MaintenanceWindowView> CreateWindowAsync(this PlatformFixture platform, CreateMaintenanceWindowRequest request)
    {
        var response = await platform.Maintenance().Create(request);
        Assert.True(response.IsSuccessStatusCode, $"creating the maintenance window: {response.StatusCode} {(response.Error as ApiException)?.Content}");
        return response.Content!;
    }

    /// <summary>A machine registered through the gateway with the given tags and a one-second threshold.</summary>
    public static async Task<RegisteredMachine> RegisterTaggedAsync(this PlatformFixture platform, params string[] tags)
    {
        var response = await platform.Machines.Register(new RegisterMachineRequest($"quiet-{Guid.NewGuid():N}"[..14], "host.test", "quiet rules test", tags, 1));
        Assert.True(response.IsSuccessStatusCode, $"register: {response.StatusCode} {response.Error?.Message}");
        return response.Content!;
    }

    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
}
