using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Notifications;
using Heartbeat.IntegrationTests.Platform;
using Microsoft.Playwright;

namespace Heartbeat.IntegrationTests.Dashboard;

/// <summary>A machine inside a maintenance window says so, in the machine API and on the page, and stops saying so when the window goes.</summary>
[Collection(PlatformCollection.Name)]
public class MaintenanceShownTests(PlatformFixture platform) : BrowserTests
{
    [Fact]
    public async Task A_machine_in_a_window_shows_until_when_in_the_api_and_on_the_page()
    {
        var tag = Quiet.Unique("shown");
        var covered = await platform.RegisterTaggedAsync(tag);
        var other = await platform.RegisterTaggedAsync(Quiet.Unique("other"));
        var endsAt = DateTimeOffset.UtcNow.AddHours(1);
        var window = await platform.CreateWindowAsync(new CreateMaintenanceWindowRequest(new ChannelMachines(Tags: [tag]), DateTimeOffset.UtcNow.AddMinutes(-1), endsAt));
        try
        {
            var shown = await Eventually.Async(async () => (await platform.Machines.Get(covered.Id)).Content,
                m => m?.MaintenanceUntil is not null, "the covered machine's maintenance_until in GET /api/machines/{id}", seconds: 15);
            Assert.Equal(endsAt.ToUnixTimeSeconds(), shown!.MaintenanceUntil!.Value.ToUnixTimeSeconds());
            Assert.Null((await platform.Machines.Get(other.Id)).Content!.MaintenanceUntil);

            var page = await DashboardBrowser.OpenWithKeyAsync(Browser, platform, PlatformFixture.ReadKey);
            await page.GetByLabel("Search").FillAsync(covered.Name);
            await Assertions.Expect(DashboardBrowser.Row(page, covered.Id).Locator(".badge.maintenance")).ToHaveTextAsync("maintenance", new() { Timeout = 10_000 });
            await page.GetByRole(AriaRole.Link, new() { Name = covered.Name }).ClickAsync();
            await Assertions.Expect(page.Locator("#detail-fields")).ToContainTextAsync("nobody notified", new() { Timeout = 10_000 });

            // Deleting the window ends the maintenance, and the page is told live.
            await page.GotoAsync(platform.Gateway.BaseAddress.ToString());
            await page.GetByLabel("Search").FillAsync(covered.Name);
            await Assertions.Expect(DashboardBrowser.Row(page, covered.Id).Locator(".badge.maintenance")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
            Assert.Equal(System.Net.HttpStatusCode.NoContent, (await platform.Maintenance().Delete(window.Id)).StatusCode);
            await Assertions.Expect(DashboardBrowser.Row(page, covered.Id).Locator(".badge.maintenance")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
            Assert.Null((await platform.Machines.Get(covered.Id)).Content!.MaintenanceUntil);
        }
        finally
        {
            await platform.Maintenance().Delete(window.Id);
        }
    }
}
