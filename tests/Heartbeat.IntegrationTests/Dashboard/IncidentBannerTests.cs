using System.Net.Http.Headers;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;
using Microsoft.Playwright;
using Refit;

namespace Heartbeat.IntegrationTests.Dashboard;

/// <summary>
/// A real platform incident on the page: the detector's canary stops arriving because ingest is frozen, the
/// detector records the interruption, and the dashboard says so while it lasts and draws it on the timelines after.
/// </summary>
[Collection(CanaryPlatformCollection.Name)]
public class IncidentBannerTests(CanaryPlatformFixture platform) : BrowserTests
{
    [Fact]
    public async Task An_intake_interruption_is_a_banner_while_it_lasts_and_a_band_on_the_timeline_after()
    {
        using var http = new HttpClient { BaseAddress = platform.Gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", PlatformFixture.ReadKey);
        var incidentsApi = RestService.For<IPlatformApi>(http, new RefitSettings(new SystemTextJsonContentSerializer(HeartbeatJson.Options)));
        async Task<IReadOnlyList<IntakeIncidentView>> IncidentsAsync() => (await incidentsApi.Incidents()).Content ?? [];

        // The canary flows and the leader judges: only then can a silence be told apart from an interruption.
        await Eventually.Async(async () => (await incidentsApi.Detection()).Content,
            d => d is { Role: "leader", JudgingSince: not null, OpenIncident: null }, "a judging leader with no open interruption", seconds: 60);
        var before = (await IncidentsAsync()).Select(i => i.Id).ToHashSet();
        var machine = await platform.RegisterAsync(thresholdSeconds: 300, name: $"incident-{Guid.NewGuid():N}"[..17]);
        await platform.SendHeartbeatAsync(machine);

        var page = await DashboardBrowser.OpenWithKeyAsync(Browser, platform, PlatformFixture.ReadKey);
        await Assertions.Expect(page.Locator("#incidents")).ToBeHiddenAsync();

        await platform.Ingest.FreezeAsync();
        try
        {
            // The canary's timeout (3 s), the detector's tick and the page's poll (5 s) stand between the freeze and the banner.
            await Assertions.Expect(page.Locator("#incidents")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#incidents")).ToContainTextAsync("not reaching the platform");
            await Assertions.Expect(page.Locator("#incidents")).ToHaveAttributeAsync("role", "alert");
            await DashboardBrowser.ScreenshotAsync(page, "incident-banner");
        }
        finally
        {
            await platform.Ingest.ThawAsync();
        }

        var incident = (await Eventually.Async(
            async () => (await IncidentsAsync()).Where(i => !before.Contains(i.Id)).ToList(),
            news => news.Count >= 1 && news.All(i => i.EndedAt is not null),
            "the interruption recorded and ended once ingest was thawed", seconds: 60)).First();
        await Assertions.Expect(page.Locator("#incidents")).ToBeHiddenAsync(new() { Timeout = 30_000 });

        await page.GetByLabel("Search").FillAsync(machine.Name);
        await page.GetByRole(AriaRole.Link, new() { Name = machine.Name }).ClickAsync();
        await Assertions.Expect(page.Locator("#detail-name")).ToHaveTextAsync(machine.Name);
        var band = page.Locator("#timeline span.incident").First;
        await Assertions.Expect(band).ToBeAttachedAsync(new() { Timeout = 10_000 });
        Assert.Contains("platform incident", await band.GetAttributeAsync("title"));
        Assert.True(incident.DurationSeconds > 0, $"the interruption lasted {incident.DurationSeconds} s");
    }
}
