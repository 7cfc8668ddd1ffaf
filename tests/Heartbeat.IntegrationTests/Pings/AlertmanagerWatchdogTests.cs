using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Pings;

/// <summary>
/// The real Alertmanager (Debian's prometheus-alertmanager, installed by scripts/test) with its receiver pointed at
/// the platform: a firing Watchdog keeps the machine online; an Alertmanager that stops sending is a silent machine.
/// </summary>
[Collection(PlatformCollection.Name)]
public class AlertmanagerWatchdogTests(PlatformFixture platform)
{
    private const string Binary = "/usr/bin/prometheus-alertmanager";

    [Fact]
    public async Task A_firing_watchdog_keeps_the_machine_online_and_a_stopped_alertmanager_is_told_once()
    {
        Assert.True(File.Exists(Binary), $"{Binary} is missing: scripts/test installs Debian's prometheus-alertmanager");
        var machine = await platform.RegisterAsync(thresholdSeconds: 4);
        var key = (await platform.Machines.CreatePingKey(machine.Id)).Content!;

        var directory = Directory.CreateTempSubdirectory("alertmanager-");
        var port = FreePort();
        // As documented in the README: group_interval and repeat_interval make the Watchdog arrive every second here
        // (every minute in production).
        await File.WriteAllTextAsync(Path.Combine(directory.FullName, "alertmanager.yml"), $"""
            route:
              receiver: heartbeat
              group_by: [alertname]
              group_wait: 0s
              group_interval: 1s
              repeat_interval: 1s
            receivers:
              - name: heartbeat
                webhook_configs:
                  - url: {key.AlertmanagerUrl}
                    send_resolved: true
            """);
        using var alertmanager = Process.Start(new ProcessStartInfo(Binary,
        [
            $"--config.file={Path.Combine(directory.FullName, "alertmanager.yml")}",
            $"--storage.path={directory.FullName}",
            $"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var output = new StringBuilder();
        alertmanager.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        alertmanager.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Eventually.Async(async () => await Ready(http), ready => ready, $"Alertmanager ready on :{port}", seconds: 30);

            // What Prometheus sends for its always-firing Watchdog rule, through Alertmanager's own API.
            var alert = """[{"labels":{"alertname":"Watchdog","severity":"none"},"annotations":{"summary":"The alerting pipeline works"},"endsAt":"2099-01-01T00:00:00Z"}]""";
            var posted = await http.PostAsync("/api/v2/alerts", new StringContent(alert, Encoding.UTF8, "application/json"));
            Assert.True(posted.IsSuccessStatusCode, $"posting the alert: {posted.StatusCode}");

            await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content!, m => m.Status == "online",
                "the Watchdog's notifications keep the machine online", seconds: 30);
        }
        finally
        {
            alertmanager.Kill();
            await alertmanager.WaitForExitAsync();
        }

        var offline = await platform.Webhooks.WaitForAsync(machine.Id, "machine.offline", TimeSpan.FromSeconds(20));
        Assert.Equal(machine.Name, offline.Machine.GetProperty("name").GetString());
        await Task.Delay(OfflineNotificationTests.QuietWindow); // a window in which a duplicate would show
        Assert.Single(platform.Webhooks.For(machine.Id), w => w.Event == "machine.offline");
        Assert.True((await platform.Machines.Pause(machine.Id)).IsSuccessStatusCode);
        directory.Delete(recursive: true);
    }

    private static async Task<bool> Ready(HttpClient http)
    {
        try { return (await http.GetAsync("/-/ready")).IsSuccessStatusCode; }
        catch (HttpRequestException) { return false; }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
