using System.Net;
using System.Text.Json;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Dashboard;

/// <summary>Public status pages and badges: created with the admin key, read by anyone with the URL.</summary>
[Collection(PlatformCollection.Name)]
public class StatusPagesAndBadgesTests(PlatformFixture platform)
{
    private readonly IStatusPagesApi _admin = Keyed.Api<IStatusPagesApi>(platform, PlatformFixture.AdminKey);
    private readonly HttpClient _public = Keyed.Http(platform, null);

    [Fact]
    public async Task A_status_page_shows_its_machines_by_name_without_a_key()
    {
        var tag = $"sp{Guid.NewGuid():N}"[..12];
        var web = (await platform.Machines.Register(new RegisterMachineRequest($"{tag}-web", "secret-host.internal", null, [tag], 300))).Content!;
        await platform.SendHeartbeatAsync(web);
        var other = await platform.RegisterAsync(thresholdSeconds: 300);

        var created = await _admin.Create(new CreateStatusPageRequest(tag, "Shop status", [tag]));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.EndsWith($"/status/{tag}", created.Content!.Url);

        var html = await Eventually.Async(() => _public.GetStringAsync($"/status/{tag}"), h => h.Contains("All machines are up"), "the page shows the machine up");
        Assert.Contains("Shop status", html);
        Assert.Contains($"{tag}-web", html);
        Assert.DoesNotContain("secret-host.internal", html);
        Assert.DoesNotContain(other.Name, html);
        Assert.Equal(StatusPagesApiDays, html.Split("title=\"").Length - 1);

        Assert.Equal(HttpStatusCode.Conflict, (await _admin.Create(new CreateStatusPageRequest(tag, "again", null))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.Create(new CreateStatusPageRequest("Not A Slug!", "x", null))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Keyed.Api<IStatusPagesApi>(platform, PlatformFixture.ReadKey).Create(new CreateStatusPageRequest($"{tag}-2", "x", null))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _public.GetAsync($"/status/{tag}-missing")).StatusCode);
    }

    /// <summary>One day bar per day of the 90, each with its tooltip.</summary>
    private const int StatusPagesApiDays = 90;

    [Fact]
    public async Task A_badge_says_up_down_or_paused_as_svg_and_shields_json()
    {
        var tag = $"bd{Guid.NewGuid():N}"[..12];
        // A threshold with room for a loaded box to read the badge before the machine is even late.
        var machine = (await platform.Machines.Register(new RegisterMachineRequest($"{tag}-api", null, null, [tag], 4))).Content!;
        await platform.SendHeartbeatAsync(machine);

        var badge = (await _admin.CreateBadge(new CreateBadgeRequest(MachineId: machine.Id))).Content!;
        Assert.Matches("^[0-9a-f]{32}$", badge.Id);
        var svgPath = new Uri(badge.SvgUrl).AbsolutePath;
        var jsonPath = new Uri(badge.JsonUrl).AbsolutePath;

        // The board behind badges refreshes every Status:Refresh (250 ms): right after the heartbeat it may still say "waiting".
        var (svg, _) = await Eventually.Async(async () =>
            {
                var response = await _public.GetAsync(svgPath);
                return (response, await response.Content.ReadAsStringAsync());
            },
            r => r.response.IsSuccessStatusCode && r.Item2.Contains(": up</title>"), "the svg badge saying up");
        Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(await _public.GetStringAsync(jsonPath)).RootElement;
        Assert.Equal((1, machine.Name, "up", "brightgreen"),
            (json.GetProperty("schemaVersion").GetInt32(), json.GetProperty("label").GetString(), json.GetProperty("message").GetString(), json.GetProperty("color").GetString()));

        await platform.Webhooks.WaitForAsync(machine.Id, "machine.offline", TimeSpan.FromSeconds(20));
        var tagBadge = (await _admin.CreateBadge(new CreateBadgeRequest(Tag: tag))).Content!;
        await Eventually.Async(() => _public.GetStringAsync(new Uri(tagBadge.SvgUrl).AbsolutePath), s => s.Contains($"{tag}: down"), "the tag badge says down");
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
        await Eventually.Async(() => _public.GetStringAsync(jsonPath), s => s.Contains("\"paused\""), "the machine badge says paused");

        Assert.Equal(HttpStatusCode.NotFound, (await _public.GetAsync($"/badge/{new string('0', 32)}.svg")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _public.GetAsync($"/badge/{badge.Id}.png")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.CreateBadge(new CreateBadgeRequest())).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _admin.CreateBadge(new CreateBadgeRequest(MachineId: Guid.NewGuid()))).StatusCode);
    }
}
