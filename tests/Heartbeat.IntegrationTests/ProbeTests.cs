using System.Net;
using System.Net.Sockets;
using System.Text;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Heartbeat.IntegrationTests;

/// <summary>Agentless machines, registered through the gateway and probed by the prober: ssh against a real sshd, tcp and http against local listeners.</summary>
[Collection(PlatformCollection.Name)]
public class ProbeTests(PlatformFixture platform)
{
    [Fact]
    public async Task A_reachable_ssh_machine_is_online_and_a_stopped_sshd_is_announced_offline_once()
    {
        await using var sshd = await Sshd.StartAsync();
        var machine = await RegisterAsync(SshProbe(sshd), thresholdSeconds: 20);

        var online = await WaitForStatusAsync(machine, v => v.Status == "online", "online from ssh probes");
        Assert.Null(online.LastProbeError);

        await sshd.StopAsync();
        var offline = await platform.Webhooks.WaitForAsync(machine.Id, "machine.offline", TimeSpan.FromSeconds(60));
        Assert.Equal("offline", offline.Machine.GetProperty("status").GetString());
        var view = await WaitForStatusAsync(machine, v => v.LastProbeError is not null, "the probe's error on the status");
        Assert.Contains("connection refused", view.LastProbeError);

        // Probed every five seconds while down: a window in which duplicates would show, not synchronisation.
        await Task.Delay(OfflineNotificationTests.QuietWindow + TimeSpan.FromSeconds(10));
        Assert.Single(platform.Webhooks.For(machine.Id), w => w.Event == "machine.offline");
        Assert.Equal(1, await CountEventsAsync(machine.Id, "probe_failed")); // the same error is appended once
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_changed_host_key_is_a_failure_that_says_so()
    {
        await using var sshd = await Sshd.StartAsync();
        var machine = await RegisterAsync(SshProbe(sshd), thresholdSeconds: 30);
        await WaitForStatusAsync(machine, v => v.Status == "online", "online from ssh probes");
        Assert.Equal(1, await CountEventsAsync(machine.Id, "probe_host_key_pinned"));

        await sshd.StopAsync();
        await sshd.NewHostKeyAsync();
        await sshd.StartAgainAsync();

        var view = await WaitForStatusAsync(machine, v => v.LastProbeError?.Contains("host key changed") == true, "a host key failure");
        Assert.Contains("pinned SHA256:", view.LastProbeError);
        Assert.Equal(1, await CountEventsAsync(machine.Id, "probe_host_key_pinned")); // the new key is not pinned
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_command_exiting_non_zero_reports_a_warning_with_the_first_line_of_its_output()
    {
        await using var sshd = await Sshd.StartAsync();
        var probe = SshProbe(sshd) with { Command = "echo 'disk /var 97% full'; echo 'second line'; exit 1" };
        var machine = await RegisterAsync(probe, thresholdSeconds: 30);

        var view = await WaitForStatusAsync(machine, v => v.Status == "warning", "warning from the command's exit status");
        Assert.Equal("disk /var 97% full", view.Message);
        Assert.Null(view.LastProbeError);
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_tcp_probe_of_a_listening_port_is_online_and_of_a_closed_port_reports_the_refusal()
    {
        using var listener = new CountingListener();
        var up = await RegisterAsync(new ProbeRequest("tcp", Host: "127.0.0.1", Port: listener.Port, IntervalSeconds: 1), thresholdSeconds: 30);
        var closed = await RegisterAsync(new ProbeRequest("tcp", Host: "127.0.0.1", Port: ClosedPort(), IntervalSeconds: 1), thresholdSeconds: 30);

        await WaitForStatusAsync(up, v => v.Status == "online", "online from tcp probes");
        Assert.True(listener.Accepted > 0);
        var refused = await WaitForStatusAsync(closed, v => v.LastProbeError is not null, "the refused connection as the probe error");
        Assert.Contains("connection refused", refused.LastProbeError);
        Assert.Equal("new", refused.Status);
        await PauseAsync(up, closed);
    }

    [Fact]
    public async Task An_http_probe_wants_its_status_does_not_follow_redirects_and_gives_up_at_its_timeout()
    {
        await using var web = await LocalWebsite.StartAsync();
        var ok = await RegisterAsync(new ProbeRequest("http", Url: web.Url("/ok"), IntervalSeconds: 2), thresholdSeconds: 30);
        var moved = await RegisterAsync(new ProbeRequest("http", Url: web.Url("/moved"), ExpectStatus: 200, IntervalSeconds: 2), thresholdSeconds: 30);
        var teapot = await RegisterAsync(new ProbeRequest("http", Url: web.Url("/teapot"), ExpectStatus: 418, IntervalSeconds: 2), thresholdSeconds: 30);
        var hanging = await RegisterAsync(new ProbeRequest("http", Url: web.Url("/hang"), IntervalSeconds: 2, TimeoutSeconds: 1), thresholdSeconds: 30);

        await WaitForStatusAsync(ok, v => v.Status == "online", "online from http probes");
        await WaitForStatusAsync(teapot, v => v.Status == "online", "online with the expected status 418");
        var redirected = await WaitForStatusAsync(moved, v => v.LastProbeError is not null, "a redirect reported, not followed");
        Assert.Contains("answered 302, expected 200", redirected.LastProbeError);
        var timedOut = await WaitForStatusAsync(hanging, v => v.LastProbeError is not null, "the timeout as the probe error");
        Assert.Equal("No answer within 1 s.", timedOut.LastProbeError);
        Assert.Equal(0, web.OkRequestsAfterRedirect); // the redirect's target was never fetched by the probe of /moved
        await PauseAsync(ok, moved, teapot, hanging);
    }

    [Fact]
    public async Task A_paused_machine_is_not_probed()
    {
        using var paused = new CountingListener();
        using var control = new CountingListener();
        var machine = await RegisterAsync(new ProbeRequest("tcp", Host: "127.0.0.1", Port: paused.Port, IntervalSeconds: 1), thresholdSeconds: 30);
        var other = await RegisterAsync(new ProbeRequest("tcp", Host: "127.0.0.1", Port: control.Port, IntervalSeconds: 1), thresholdSeconds: 30);
        await Eventually.Async(() => Task.FromResult(paused.Accepted), n => n > 0, "the machine probed before its pause", seconds: 20);

        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
        // A probe already under way when the pause lands may still connect; two more rounds of the control machine later it has.
        var mark = control.Accepted;
        await Eventually.Async(() => Task.FromResult(control.Accepted), n => n >= mark + 2, "two more probes of the control machine", seconds: 20);
        var afterPause = paused.Accepted;
        mark = control.Accepted;
        await Eventually.Async(() => Task.FromResult(control.Accepted), n => n >= mark + 3, "three more probes of the control machine", seconds: 20);

        Assert.Equal(afterPause, paused.Accepted);
        Assert.Equal("paused", (await platform.Machines.Get(machine.Id)).Content!.Status);
        await PauseAsync(other);
    }

    [Theory]
    [InlineData("""{"type":"smtp","host":"a"}""", "probe.type")]
    [InlineData("""{"type":"tcp","host":"db-1"}""", "probe.port")]
    [InlineData("""{"type":"tcp","host":"db-1","port":70000}""", "probe.port")]
    [InlineData("""{"type":"http","url":"ftp://x/"}""", "probe.url")]
    [InlineData("""{"type":"http","url":"https://x/","expect_status":700}""", "probe.expect_status")]
    [InlineData("""{"type":"tcp","host":"db-1","port":5432,"timeout_seconds":0}""", "probe.timeout_seconds")]
    [InlineData("""{"type":"ssh","host":"db-1","user":"probe","private_key":"not a key"}""", "probe.private_key")]
    public async Task An_invalid_probe_gets_a_problem_naming_the_field_and_registers_nothing(string probe, string field)
    {
        var name = $"bad-probe-{Guid.NewGuid():N}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/machines")
        {
            Content = new StringContent($$"""{"name":"{{name}}","probe":{{probe}}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new("Bearer", PlatformFixture.AdminKey);
        var response = await platform.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"{field}\"", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain((await platform.Machines.List(q: name)).Content!.Machines, m => m.Name == name);
    }

    [Fact]
    public async Task The_private_key_is_stored_encrypted_and_never_returned()
    {
        await using var sshd = await Sshd.StartAsync();
        var response = await platform.Machines.Register(new RegisterMachineRequest($"ssh-{Guid.NewGuid():N}"[..16], OfflineThresholdSeconds: 30, Probe: SshProbe(sshd)));
        Assert.True(response.IsSuccessStatusCode, response.Error?.Message);
        var machine = response.Content!;
        var keyBody = sshd.PrivateKey.Split('\n')[1]; // a line of the key's base64 body

        foreach (var path in new[] { $"/api/machines/{machine.Id}", "/api/machines" })
        {
            using var read = new HttpRequestMessage(HttpMethod.Get, path);
            read.Headers.Authorization = new("Bearer", PlatformFixture.AdminKey);
            var body = await (await platform.Http.SendAsync(read)).Content.ReadAsStringAsync();
            Assert.DoesNotContain(keyBody, body);
            Assert.DoesNotContain("PRIVATE KEY", body);
        }
        await using var command = platform.Database.CreateCommand("select string_agg(data::text, '') from heartbeat_events.mt_events where stream_id = $1");
        command.Parameters.AddWithValue(machine.Id);
        var stored = (string)(await command.ExecuteScalarAsync())!;
        Assert.Contains("ProtectedPrivateKey", stored);
        Assert.DoesNotContain(keyBody, stored);
        Assert.DoesNotContain("PRIVATE KEY", stored);
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
    }

    private static ProbeRequest SshProbe(Sshd sshd) =>
        // Timeouts generous for a loaded 2-core box: under a load average of 60-90 an ssh login there took over 2 s.
        new("ssh", Host: "127.0.0.1", Port: sshd.Port, User: sshd.User, PrivateKey: sshd.PrivateKey, IntervalSeconds: 5, TimeoutSeconds: 5);

    private async Task<RegisteredMachine> RegisterAsync(ProbeRequest probe, int thresholdSeconds)
    {
        var response = await platform.Machines.Register(new RegisterMachineRequest(
            $"probed-{Guid.NewGuid():N}"[..16], "probe.test", "probe test", ["probe"], thresholdSeconds, Probe: probe));
        Assert.True(response.IsSuccessStatusCode, $"register: {response.StatusCode} {response.Error?.Message}");
        return response.Content!;
    }

    private async Task<MachineView> WaitForStatusAsync(RegisteredMachine machine, Func<MachineView, bool> done, string what) =>
        await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content!, done, $"{what}\n{platform.Prober.Tail()}", seconds: 60);

    private async Task<long> CountEventsAsync(Guid machineId, string type)
    {
        await using var command = platform.Database.CreateCommand("select count(*) from heartbeat_events.mt_events where stream_id = $1 and type = $2");
        command.Parameters.AddWithValue(machineId);
        command.Parameters.AddWithValue(type);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task PauseAsync(params RegisteredMachine[] machines)
    {
        foreach (var m in machines) Assert.True((await platform.Machines.Pause(m.Id)).IsSuccessStatusCode);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port; // closed again when the listener is disposed
    }

    /// <summary>A loopback port that accepts connections and counts them.</summary>
    private sealed class CountingListener : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private int _accepted;

        public CountingListener()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public int Accepted => Volatile.Read(ref _accepted);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    Interlocked.Increment(ref _accepted);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }

    /// <summary>A local website: /ok 200, /teapot 418, /moved a 302 to /ok?from=moved, /hang never answers.</summary>
    private sealed class LocalWebsite : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _okAfterRedirect;

        private LocalWebsite(WebApplication app) => _app = app;

        public int OkRequestsAfterRedirect => Volatile.Read(ref _okAfterRedirect);

        public string Url(string path) => new Uri(new Uri(_app.Urls.First()), path).ToString();

        public static async Task<LocalWebsite> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var site = new LocalWebsite(app);
            app.MapGet("/ok", (HttpRequest r) =>
            {
                if (r.Query.ContainsKey("from")) Interlocked.Increment(ref site._okAfterRedirect);
                return Results.Ok();
            });
            app.MapGet("/teapot", () => Results.StatusCode(418));
            app.MapGet("/moved", () => Results.Redirect("/ok?from=moved"));
            app.MapGet("/hang", async (CancellationToken ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return Results.Ok();
            });
            await app.StartAsync();
            return site;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync(TimeSpan.FromSeconds(5));
            await _app.DisposeAsync();
        }
    }
}
