using Microsoft.Playwright;

namespace Heartbeat.IntegrationTests.Dashboard;

/// <summary>A test class that drives Debian's Chromium: one browser per class, launched before its tests and closed after.</summary>
public abstract class BrowserTests : IAsyncLifetime
{
    private IPlaywright _playwright = null!;

    protected IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await DashboardBrowser.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
