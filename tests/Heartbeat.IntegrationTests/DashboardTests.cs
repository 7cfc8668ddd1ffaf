using Heartbeat.IntegrationTests.Platform;
using Microsoft.Playwright;

namespace Heartbeat.IntegrationTests;

/// <summary>The dashboard in a real browser (Debian's Chromium, driven by Playwright) against the running platform.</summary>
[Collection(PlatformCollection.Name)]
public class DashboardTests(PlatformFixture platform)
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task Shows_each_machine_with_its_status_once_a_key_is_entered()
    {
        var online = await platform.RegisterAsync(thresholdSeconds: 300, name: $"dash-{Guid.NewGuid():N}"[..12]);
        await platform.SendHeartbeatAsync(online);
        var fresh = await platform.RegisterAsync(thresholdSeconds: 300, name: $"dash-{Guid.NewGuid():N}"[..12]);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(platform.Gateway.BaseAddress.ToString());

        await page.FillAsync("#api-key", PlatformFixture.ReadKey);
        await page.ClickAsync("#key-form button[type=submit]");

        var onlineRow = page.Locator("#machines tr", new() { HasText = online.Name });
        await Assertions.Expect(onlineRow.Locator(".badge")).ToHaveTextAsync("online", new() { Timeout = 10_000 });
        var freshRow = page.Locator("#machines tr", new() { HasText = fresh.Name });
        await Assertions.Expect(freshRow.Locator(".badge")).ToHaveTextAsync("new", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#error")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Says_so_when_the_key_is_refused()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(platform.Gateway.BaseAddress.ToString());

        await page.FillAsync("#api-key", "not-a-key");
        await page.ClickAsync("#key-form button[type=submit]");

        await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("401", new() { Timeout = 10_000 });
    }

    // Without the background-networking flags Chromium keeps dialling out, which this closed network refuses.
    private static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: scripts/test installs the Debian package chromium.");
        return playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }
}
