using Heartbeat.IntegrationTests.Platform;
using Microsoft.Playwright;

namespace Heartbeat.IntegrationTests.Dashboard;

/// <summary>Debian's Chromium driven by Playwright, and the steps every dashboard test takes.</summary>
public static class DashboardBrowser
{
    public const string Chromium = "/usr/bin/chromium";

    // Without the background-networking flags Chromium keeps dialling out, which this closed network refuses.
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: scripts/test installs the Debian package chromium.");
        return playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    /// <summary>Opens the dashboard and enters the key, as a person would; returns once the page has taken it.</summary>
    public static async Task<IPage> OpenWithKeyAsync(IBrowser browser, PlatformFixture platform, string key, ViewportSize? viewport = null)
    {
        var page = await browser.NewPageAsync(new() { ViewportSize = viewport ?? new ViewportSize { Width = 1280, Height = 800 } });
        await page.GotoAsync(platform.Gateway.BaseAddress.ToString());
        await page.GetByLabel("API key").FillAsync(key);
        await page.ClickAsync("#key-form button[type=submit]");
        await Assertions.Expect(page.Locator("#key-info")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#live")).ToHaveTextAsync("Live", new() { Timeout = 10_000 });
        return page;
    }

    /// <summary>
    /// Sends a heartbeat every half second until disposed, so a machine with a short threshold stays online however
    /// long a loaded box takes to open the page; disposing is the moment it falls silent.
    /// </summary>
    public static IAsyncDisposable KeepBeating(PlatformFixture platform, Heartbeat.Contracts.Http.RegisteredMachine machine)
    {
        var stop = new CancellationTokenSource();
        var loop = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await platform.SendHeartbeatAsync(machine);
                try { await Task.Delay(500, stop.Token); } catch (OperationCanceledException) { }
            }
        });
        return new Beating(stop, loop);
    }

    private sealed class Beating(CancellationTokenSource stop, Task loop) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await loop;
            stop.Dispose();
        }
    }

    /// <summary>The row of a machine in the list.</summary>
    public static ILocator Row(IPage page, Guid id) => page.Locator($"#machines tr[data-id=\"{id}\"]");

    /// <summary>
    /// Saves a screenshot for the README when HEARTBEAT_SCREENSHOTS names a folder (docs/screenshots when they are
    /// renewed); otherwise does nothing, so test runs leave the checkout alone.
    /// </summary>
    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = false)
    {
        if (Environment.GetEnvironmentVariable("HEARTBEAT_SCREENSHOTS") is not { Length: > 0 } folder) return;
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png"), FullPage = fullPage });
    }
}
