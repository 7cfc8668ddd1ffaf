using System.Net;
using System.Text;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests;

/// <summary>PATCH /api/machines/{id} through the gateway.</summary>
[Collection(PlatformCollection.Name)]
public class MachineSettingsTests(PlatformFixture platform)
{
    [Fact]
    public async Task Changed_settings_show_in_the_status_and_a_shorter_threshold_judges_sooner()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 600);
        await platform.SendHeartbeatAsync(machine);

        var response = await platform.Machines.ChangeSettings(machine.Id,
            new ChangeMachineSettingsRequest(Name: "renamed", Tags: ["db", "eu"], OfflineThresholdSeconds: 2, ExpectedIntervalSeconds: 1));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var view = await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content!,
            v => v.Name == "renamed", "the new name in the machine's status");
        Assert.Equal(["db", "eu"], view.Tags);
        Assert.Equal(2, view.OfflineThresholdSeconds);

        // Under the old 10-minute threshold this would take ten minutes.
        var offline = await platform.Webhooks.WaitForAsync(machine.Id, "machine.offline", TimeSpan.FromSeconds(15));
        Assert.Equal("renamed", offline.Machine.GetProperty("name").GetString());
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Invalid_settings_get_a_problem_naming_the_field_and_change_nothing()
    {
        var machine = await platform.RegisterAsync();
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/machines/{machine.Id}")
        {
            Content = new StringContent("""{"offline_threshold_seconds":0}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", PlatformFixture.AdminKey);
        var response = await platform.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("offline_threshold_seconds", await response.Content.ReadAsStringAsync());
        Assert.Equal(3, (await platform.Machines.Get(machine.Id)).Content!.OfflineThresholdSeconds);
    }

    [Fact]
    public async Task Unknown_machines_and_read_keys_are_refused()
    {
        var unknown = await platform.Machines.ChangeSettings(Guid.NewGuid(), new ChangeMachineSettingsRequest(Name: "x"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        var machine = await platform.RegisterAsync();
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/machines/{machine.Id}")
        {
            Content = new StringContent("""{"name":"x"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", PlatformFixture.ReadKey);
        Assert.Equal(HttpStatusCode.Unauthorized, (await platform.Http.SendAsync(request)).StatusCode); // the platform answers 401 to any key that may not do this
    }
}
