using System.Net;
using System.Text.Json;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Pings;

/// <summary>Clients written for Healthchecks.io, Uptime Kuma and Opsgenie, run with curl as their documentation shows.</summary>
[Collection(PlatformCollection.Name)]
public class PingUrlTests(PlatformFixture platform)
{
    private async Task<(RegisteredMachine Machine, PingKeyCreated Key)> MachineWithPingKeyAsync(int thresholdSeconds = 60)
    {
        var machine = await platform.RegisterAsync(thresholdSeconds);
        var key = await platform.Machines.CreatePingKey(machine.Id);
        Assert.Equal(HttpStatusCode.Created, key.StatusCode);
        return (machine, key.Content!);
    }

    private Task<MachineView> OnlineAsync(Guid id) =>
        Eventually.Async(async () => (await platform.Machines.Get(id)).Content!, m => m.Status == "online", $"machine {id} online");

    [Fact]
    public async Task A_healthchecks_cron_line_keeps_a_machine_online_with_only_the_host_changed()
    {
        var (machine, key) = await MachineWithPingKeyAsync();
        Assert.StartsWith(platform.Gateway.BaseAddress.ToString().TrimEnd('/') + "/ping/", key.PingUrl);

        // Healthchecks.io's documented cron line: curl -fsS -m 10 --retry 5 -o /dev/null https://hc-ping.com/<uuid>
        var ping = await Curl.RunAsync("-fsS", "-m", "10", "--retry", "5", "-o", "/dev/null", key.PingUrl);
        Assert.True(ping.ExitCode == 0, $"curl exited {ping.ExitCode}: {ping.Error}");
        await OnlineAsync(machine.Id);

        var answer = await Curl.RunAsync("-sS", key.PingUrl);
        Assert.Equal("OK", answer.Output);
    }

    [Fact]
    public async Task Start_log_and_exit_status_are_accepted_and_the_body_becomes_the_message()
    {
        var (machine, key) = await MachineWithPingKeyAsync();
        var rid = Guid.NewGuid();
        Assert.Equal("OK", (await Curl.RunAsync("-fsS", "-m", "10", $"{key.PingUrl}/start?rid={rid}")).Output);
        Assert.Equal("OK", (await Curl.RunAsync("-fsS", "-m", "10", "--data-raw", "backup: 3 files copied", $"{key.PingUrl}/log")).Output);
        Assert.Equal("OK", (await Curl.RunAsync("-fsS", "-m", "10", "--data-raw", "backup done", $"{key.PingUrl}/0?rid={rid}")).Output);
        var view = await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content!,
            m => m.Message == "backup done", "the last ping's body as the machine's message");
        Assert.Equal("online", view.Status);
    }

    [Fact]
    public async Task HEAD_requests_count_too()
    {
        var (machine, key) = await MachineWithPingKeyAsync();
        var head = await Curl.RunAsync("-fsS", "-m", "10", "-I", key.PingUrl);
        Assert.True(head.ExitCode == 0, head.Error);
        Assert.Contains("200", head.Output.Split('\n')[0]);
        await OnlineAsync(machine.Id);
    }

    [Fact]
    public async Task A_ping_api_key_addresses_machines_by_name()
    {
        var machine = await platform.RegisterAsync(60, name: $"cron-{Guid.NewGuid():N}"[..16]);
        var url = $"{platform.Gateway.BaseAddress}ping/{PlatformFixture.PingApiKey}/{machine.Name}";
        Assert.Equal("OK", (await Curl.RunAsync("-fsS", "-m", "10", url)).Output);
        Assert.Equal("OK", (await Curl.RunAsync("-fsS", "-m", "10", url + "/start")).Output);
        await OnlineAsync(machine.Id);
    }

    [Fact]
    public async Task Wrong_revoked_and_unknown_keys_get_the_same_404()
    {
        var (machine, key) = await MachineWithPingKeyAsync();
        var unknown = await Curl.RunAsync("-sS", "-w", "%{http_code}", $"{platform.Gateway.BaseAddress}ping/{Guid.NewGuid():N}");
        var wrongApiKey = await Curl.RunAsync("-sS", "-w", "%{http_code}", $"{platform.Gateway.BaseAddress}ping/not-a-key/{machine.Name}");

        Assert.Equal(HttpStatusCode.NoContent, (await platform.Machines.RevokePingKey(machine.Id)).StatusCode);
        var revoked = await Curl.RunAsync("-sS", "-w", "%{http_code}", key.PingUrl);
        var failing = await Curl.RunAsync("-fsS", "-m", "10", "-o", "/dev/null", key.PingUrl);

        Assert.Equal("not found\n404", unknown.Output);
        Assert.Equal(unknown.Output, wrongApiKey.Output);
        Assert.Equal(unknown.Output, revoked.Output);
        Assert.Equal(22, failing.ExitCode); // curl -f: the cron job's mail shows the failure
        Assert.Equal("new", (await platform.Machines.Get(machine.Id)).Content!.Status);
    }

    [Fact]
    public async Task A_rotated_key_replaces_the_old_one()
    {
        var (machine, first) = await MachineWithPingKeyAsync();
        var second = (await platform.Machines.CreatePingKey(machine.Id)).Content!;
        Assert.NotEqual(first.PingKey, second.PingKey);
        Assert.Equal(404, int.Parse((await Curl.RunAsync("-sS", "-o", "/dev/null", "-w", "%{http_code}", first.PingUrl)).Output));
        Assert.Equal("OK", (await Curl.RunAsync("-fsS", second.PingUrl)).Output);
    }

    [Fact]
    public async Task An_uptime_kuma_push_url_works_as_it_is()
    {
        var (machine, key) = await MachineWithPingKeyAsync();
        // Uptime Kuma shows push URLs as .../api/push/<token>?status=up&msg=OK&ping=
        var push = await Curl.RunAsync("-fsS", "-m", "10", key.PushUrl);
        Assert.Equal("""{"ok":true}""", push.Output);
        await OnlineAsync(machine.Id);

        var unknown = await Curl.RunAsync("-sS", "-w", "\n%{http_code}", $"{platform.Gateway.BaseAddress}api/push/nope?status=up&msg=OK&ping=");
        Assert.EndsWith("\n404", unknown.Output);
        Assert.False(JsonDocument.Parse(unknown.Output.Split('\n')[0]).RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task An_opsgenie_heartbeat_ping_works_with_a_geniekey()
    {
        var machine = await platform.RegisterAsync(60, name: $"og-{Guid.NewGuid():N}"[..14]);
        // Opsgenie's documented call: curl -X GET 'https://api.opsgenie.com/v2/heartbeats/<name>/ping' -H 'Authorization: GenieKey <key>'
        var url = $"{platform.Gateway.BaseAddress}v2/heartbeats/{machine.Name}/ping";
        var ping = await Curl.RunAsync("-sS", "-X", "GET", url, "-H", $"Authorization: GenieKey {PlatformFixture.PingApiKey}", "-w", "\n%{http_code}");
        var (body, status) = (ping.Output[..ping.Output.LastIndexOf('\n')], ping.Output[(ping.Output.LastIndexOf('\n') + 1)..]);
        Assert.Equal("202", status);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal("PONG - Heartbeat received", json.GetProperty("result").GetString());
        Assert.True(json.TryGetProperty("took", out _) && json.TryGetProperty("requestId", out _), body);
        await OnlineAsync(machine.Id);

        var wrong = await Curl.RunAsync("-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", url, "-H", "Authorization: GenieKey wrong");
        Assert.Equal("401", wrong.Output);
    }
}
