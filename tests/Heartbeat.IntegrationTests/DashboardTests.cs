using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Dashboard;
using Heartbeat.IntegrationTests.Platform;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Heartbeat.IntegrationTests;

/// <summary>The dashboard in a real browser (Debian's Chromium, driven by Playwright) against the running platform, through the gateway.</summary>
[Collection(PlatformCollection.Name)]
public class DashboardTests(PlatformFixture platform, ITestOutputHelper output) : BrowserTests
{
    private async Task<RegisteredMachine> RegisterAsync(string prefix, int thresholdSeconds, string? tag = null)
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        var response = await platform.Machines.Register(new RegisterMachineRequest(name, $"{name}.example.net", "dashboard test", [tag ?? "dashboard"], thresholdSeconds));
        Assert.True(response.IsSuccessStatusCode, $"register: {response.StatusCode}");
        return response.Content!;
    }

    [Fact]
    public async Task Shows_each_machine_with_its_status_once_a_key_is_entered()
    {
        var online = await RegisterAsync("dash", 300);
        await platform.SendHeartbeatAsync(online);
        var fresh = await RegisterAsync("dash", 300);

        var page = await DashboardBrowser.OpenWithKeyAsync(Browser, platform, PlatformFixture.ReadKey);
        await page.GetByLabel("Search").FillAsync(online.Name);
        await Assertions.Expect(DashboardBrowser.Row(page, online.Id).Locator(".badge")).ToHaveTextAsync("online", new() { Timeout = 10_000 });
        await page.GetByLabel("Search").FillAsync(fresh.Name);
        await Assertions.Expect(DashboardBrowser.Row(page, fresh.Id).Locator(".badge")).ToHaveTextAsync("new", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#error")).ToBeHiddenAsync();
        // Kept for this browser session only.
        Assert.Equal(PlatformFixture.ReadKey, await page.EvaluateAsync<string>("sessionStorage.getItem('heartbeat.apiKey')"));
        Assert.Null(await page.EvaluateAsync<string?>("localStorage.getItem('heartbeat.apiKey')"));
    }

    [Fact]
    public async Task Says_so_when_the_key_is_refused()
    {
        var page = await Browser.NewPageAsync();
        await page.GotoAsync(platform.Gateway.BaseAddress.ToString());

        await page.FillAsync("#api-key", "not-a-key");
        await page.ClickAsync("#key-form button[type=submit]");

        await Assertions.Expect(page.Locator("#error")).ToContainTextAsync("401", new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#key-form")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_machine_goes_offline_live_without_a_reload()
    {
        var machine = await RegisterAsync("live", 2);
        var row = (ILocator)null!;
        IPage page;
        await using (DashboardBrowser.KeepBeating(platform, machine))
        {
            page = await DashboardBrowser.OpenWithKeyAsync(Browser, platform, PlatformFixture.ReadKey);
            await page.GetByLabel("Search").FillAsync(machine.Name);
            row = DashboardBrowser.Row(page, machine.Id);
            await Assertions.Expect(row.Locator(".badge")).ToHaveTextAsync("online", new() { Timeout = 10_000 });
            await page.EvaluateAsync("window.notReloaded = true");
        }

        await Assertions.Expect(page.Locator($"#machines tr[data-id=\"{machine.Id}\"][data-status=offline] .badge")).ToHaveTextAsync("offline", new() { Timeout = 15_000 });

        Assert.True(await page.EvaluateAsync<bool>("window.notReloaded === true"), "the page was not reloaded");
        var shownAt = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse((await row.GetAttributeAsync("data-updated-at"))!));
        var detectedAt = (await platform.Machines.History(machine.Id)).Content!.Transitions.First(t => t.Kind == "offline").At;
        var latency = shownAt - detectedAt;
        output.WriteLine($"offline shown in the browser {latency.TotalMilliseconds:F0} ms after the detector declared it");
        Assert.InRange(latency.TotalMilliseconds, -100, 3_000);
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Filters_by_status_and_tag_and_searches_by_name()
    {
        var tag = $"f{Guid.NewGuid():N}"[..10];
        var a = await RegisterAsync("alpha", 300, tag);
        var b = await RegisterAsync("bravo", 300, tag);
        var c = await RegisterAsync("charlie", 300, tag);
        await platform.SendHeartbeatAsync(a);
        await platform.SendHeartbeatAsync(b);

        var page = await DashboardBrowser.OpenWithKeyAsync(Browser, platform, PlatformFixture.ReadKey);
        var rows = page.Locator("#machines tr[data-id]");
        await page.GetByLabel("Tag", new() { Exact = true }).FillAsync(tag);
        await Assertions.Expect(rows).ToHaveCountAsync(3, new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#summary button[data-status=online] .count")).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator("#summary button[data-status=new] .count")).ToHaveTextAsync("1");

        await page.GetByLabel("Status", new() { Exact = true }).SelectOptionAsync("online");
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(DashboardBrowser.Row(page, c.Id)).ToHaveCountAsync(0);

        await page.GetByLabel("Search").FillAsync(b.Name);
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(DashboardBrowser.Row(page, b.Id)).ToBeVisibleAsync();

        // The summary buttons filter too.
        await page.GetByLabel("Search").FillAsync("");
        await page.GetByLabel("Status", new() { Exact = true }).SelectOptionAsync("");
        await page.Locator("#summary button[data-status=new]").ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(1);
        await Assertions.Expect(DashboardBrowser.Row(page, c.Id)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_detail_timeline_shows_the_outage()
    {
        var machine = await RegisterAsync("detail", 1);
        await platform.SendHeartbeatAsync(machine, new HeartbeatRequest("1.4.2", "ok", "all good"));
        await platform.Webhooks.WaitForAsync(machine.Id, "machine.offline", TimeSpan.FromSeconds(10));
        await platform.SendHeartbeatAsync(machine, new HeartbeatRequest("1.4.2", "ok", "back after a reboot"));
        await platform.Webhooks.WaitForAsync(machine.Id, "machine.online", TimeSpan.FromSeconds(10));
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);

        var page = await DashboardBrowser.OpenWithKeyAsync(Browser, platform, PlatformFixture.AdminKey);
        await page.GetByLabel("Search").FillAsync(machine.Name);
        await page.GetByRole(AriaRole.Link, new() { Name = machine.Name }).ClickAsync();

        await Assertions.Expect(page.Locator("#detail-name")).ToHaveTextAsync(machine.Name);
        await Assertions.Expect(page.Locator("#timeline span.offline")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#timeline span.paused")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#transitions li.offline")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#transitions li.online")).ToContainTextAsync("down");
        await Assertions.Expect(page.Locator("#heartbeats li").First).ToContainTextAsync("back after a reboot");
        await Assertions.Expect(page.Locator("#uptime")).ToContainTextAsync("Outages1");
        Assert.Contains($"/api/heartbeat/{machine.Id}", await page.Locator("#curl-command").InputValueAsync());
        Assert.Contains("HEARTBEAT_TOKEN", await page.GetByLabel("One heartbeat with curl").InputValueAsync());

        await DashboardBrowser.ScreenshotAsync(page, "machine-detail", fullPage: true);
        await page.GetByRole(AriaRole.Button, new() { Name = "90 d" }).ClickAsync();
        await Assertions.Expect(page.Locator("#timeline")).ToHaveAttributeAsync("aria-label", new System.Text.RegularExpressions.Regex("last 90d"));
    }

    [Fact]
    public async Task Pausing_from_the_page_stops_the_transition()
    {
        var machine = await RegisterAsync("pause", 3);
        await using (DashboardBrowser.KeepBeating(platform, machine))
        {
            var page = await DashboardBrowser.OpenWithKeyAsync(Browser, platform, PlatformFixture.AdminKey);
            await page.GotoAsync($"{platform.Gateway.BaseAddress}#machine/{machine.Id}");
            await Assertions.Expect(page.Locator("#detail-status")).ToHaveTextAsync("online", new() { Timeout = 10_000 });

            await page.GetByRole(AriaRole.Button, new() { Name = "Pause monitoring" }).ClickAsync();
            await Assertions.Expect(page.Locator("#detail-status")).ToHaveTextAsync("paused", new() { Timeout = 5_000 });
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Resume monitoring" })).ToBeVisibleAsync();
        } // silent from here on

        await Task.Delay(TimeSpan.FromSeconds(3 + 2)); // past its deadline: a window in which a transition would show, not synchronisation
        Assert.Empty(platform.Webhooks.For(machine.Id));
        Assert.DoesNotContain((await platform.Machines.History(machine.Id)).Content!.Transitions, t => t.Kind == "offline");
    }

    [Fact]
    public async Task An_admin_changes_a_machines_settings_from_the_page_and_a_refused_value_changes_nothing()
    {
        var machine = await RegisterAsync("settings", 300);
        var page = await DashboardBrowser.OpenWithKeyAsync(Browser, platform, PlatformFixture.AdminKey);
        await page.GotoAsync($"{platform.Gateway.BaseAddress}#machine/{machine.Id}");
        await Assertions.Expect(page.Locator("#detail-name")).ToHaveTextAsync(machine.Name, new() { Timeout = 10_000 });

        await page.GetByText("Settings", new() { Exact = true }).ClickAsync();
        await page.GetByLabel("Offline after silence of (seconds)").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Assertions.Expect(page.Locator("#settings-result")).ToContainTextAsync("Not saved — offline_threshold_seconds: The offline threshold must be between 1");
        Assert.Equal(300, (await platform.Machines.Get(machine.Id)).Content!.OfflineThresholdSeconds);

        var renamed = machine.Name + "-renamed";
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(renamed);
        await page.GetByLabel("Tags (comma-separated)").FillAsync("dashboard, rack-7");
        await page.GetByLabel("Offline after silence of (seconds)").FillAsync("120");
        await page.GetByLabel("Heartbeat expected every (seconds)").FillAsync("40");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();

        await Assertions.Expect(page.Locator("#detail-name")).ToHaveTextAsync(renamed, new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#detail-fields")).ToContainTextAsync("120 s offline after silence, late after 40 s");
        await Assertions.Expect(page.Locator("#detail-fields")).ToContainTextAsync("dashboard, rack-7");
        var stored = (await platform.Machines.Get(machine.Id)).Content!;
        Assert.Equal((renamed, 120, 40), (stored.Name, stored.OfflineThresholdSeconds, stored.ExpectedIntervalSeconds));
        Assert.Equal(["dashboard", "rack-7"], stored.Tags);
    }

    [Fact]
    public async Task A_read_key_sees_no_admin_actions()
    {
        var machine = await RegisterAsync("reader", 300);
        var page = await DashboardBrowser.OpenWithKeyAsync(Browser, platform, PlatformFixture.ReadKey);
        await Assertions.Expect(page.Locator("#role")).ToHaveTextAsync("read key");
        await page.GotoAsync($"{platform.Gateway.BaseAddress}#machine/{machine.Id}");
        await Assertions.Expect(page.Locator("#detail-name")).ToHaveTextAsync(machine.Name, new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#admin-actions")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#settings")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Pause monitoring" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Fits_a_phone_screen()
    {
        var machine = await RegisterAsync("phone", 300);
        await platform.SendHeartbeatAsync(machine);
        var page = await DashboardBrowser.OpenWithKeyAsync(Browser, platform, PlatformFixture.ReadKey, new ViewportSize { Width = 390, Height = 844 });
        await Assertions.Expect(page.Locator("#machines tr[data-id]").First).ToBeVisibleAsync(new() { Timeout = 10_000 });
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling at 390 px");
        await Assertions.Expect(page.Locator("#machines tr[data-id] td.wide").First).ToBeHiddenAsync();
        await DashboardBrowser.ScreenshotAsync(page, "phone");
    }

    [Fact]
    public async Task The_status_page_and_a_badge_render_without_a_key()
    {
        var tag = $"pub{Guid.NewGuid():N}"[..12];
        var machine = await RegisterAsync("public-web", 300, tag);
        await platform.SendHeartbeatAsync(machine);
        await Eventually.Async(async () => (await platform.Machines.List(q: machine.Name)).Content!.Machines.SingleOrDefault()?.Status, s => s == "online", "the list shows it online");
        var admin = Keyed.Api<IStatusPagesApi>(platform, PlatformFixture.AdminKey);
        Assert.True((await admin.Create(new CreateStatusPageRequest(tag, "Example Shop — service status", [tag]))).IsSuccessStatusCode);
        var badge = (await admin.CreateBadge(new CreateBadgeRequest(MachineId: machine.Id))).Content!;

        var anonymous = await Browser.NewPageAsync(new() { ViewportSize = new ViewportSize { Width = 1000, Height = 700 } });
        var response = await anonymous.GotoAsync($"{platform.Gateway.BaseAddress}status/{tag}");
        Assert.Equal(200, response!.Status);
        await Assertions.Expect(anonymous.GetByRole(AriaRole.Heading, new() { Name = "Example Shop — service status" })).ToBeVisibleAsync();
        await Assertions.Expect(anonymous.Locator($"li[data-machine=\"{machine.Name}\"] .status")).ToHaveTextAsync("up");
        await Assertions.Expect(anonymous.Locator($"li[data-machine=\"{machine.Name}\"] .bars span")).ToHaveCountAsync(90);
        await DashboardBrowser.ScreenshotAsync(anonymous, "status-page", fullPage: true);

        var svg = await anonymous.GotoAsync(badge.SvgUrl);
        Assert.Equal(200, svg!.Status);
        Assert.Equal("image/svg+xml; charset=utf-8", svg.Headers["content-type"]);
        await Assertions.Expect(anonymous.Locator("svg")).ToBeVisibleAsync();
        Assert.Contains($"{machine.Name}: up", await anonymous.ContentAsync());
    }

    [Fact]
    public async Task Says_it_is_not_live_while_the_gateway_restarts_and_reconnects_by_itself()
    {
        var page = await DashboardBrowser.OpenWithKeyAsync(Browser, platform, PlatformFixture.ReadKey);
        await page.EvaluateAsync("window.notReloaded = true");

        await platform.Gateway.StopAsync();
        await Assertions.Expect(page.Locator("#live")).ToHaveTextAsync("Not live — reconnecting", new() { Timeout = 10_000 });
        platform.Gateway.Start();
        await platform.WaitUntilReadyAsync(platform.Gateway, "/health");
        await Assertions.Expect(page.Locator("#live")).ToHaveTextAsync("Live", new() { Timeout = 20_000 });

        // Changes after the reconnect arrive again.
        var machine = await RegisterAsync("after-restart", 300);
        await page.GetByLabel("Search").FillAsync(machine.Name);
        await Assertions.Expect(DashboardBrowser.Row(page, machine.Id)).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await platform.SendHeartbeatAsync(machine);
        await Assertions.Expect(DashboardBrowser.Row(page, machine.Id).Locator(".badge")).ToHaveTextAsync("online", new() { Timeout = 10_000 });
        Assert.True(await page.EvaluateAsync<bool>("window.notReloaded === true"), "the page was not reloaded");
    }
}
