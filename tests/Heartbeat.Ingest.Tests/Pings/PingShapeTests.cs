using System.Text.Json;
using Heartbeat.Contracts.Events;
using Heartbeat.Ingest.Pings;
using Heartbeat.ServiceDefaults;

namespace Heartbeat.Ingest.Tests.Pings;

public class PingShapeTests
{
    [Theory]
    [InlineData(null, null)]
    [InlineData("start", RunSignal.Started)]
    [InlineData("fail", RunSignal.Failed)]
    [InlineData("log", RunSignal.Logged)]
    [InlineData("0", RunSignal.Exited)]
    [InlineData("127", RunSignal.Exited)]
    public void Healthchecks_actions_name_their_run_signal(string? action, RunSignal? signal)
    {
        Assert.True(HealthchecksPings.TryParseAction(action, null, out var run));
        Assert.Equal(signal, run?.Signal);
    }

    [Theory]
    [InlineData("256")]
    [InlineData("-1")]
    [InlineData("restart")]
    public void Anything_else_is_not_an_action(string action) =>
        Assert.False(HealthchecksPings.TryParseAction(action, null, out _));

    [Fact]
    public void An_exit_status_keeps_its_code_and_run_id()
    {
        HealthchecksPings.TryParseAction("3", "f0b4b4a6-3c7e-4d55-8e6c-3f4b1a2c9d10", out var run);
        Assert.Equal(new HeartbeatRun(RunSignal.Exited, 3, "f0b4b4a6-3c7e-4d55-8e6c-3f4b1a2c9d10"), run);
    }

    [Fact]
    public void Uptime_kuma_down_is_a_failed_run_and_ping_a_metric()
    {
        var down = UptimeKumaPush.Signal("down", "disk full", "12.5");
        Assert.Equal(RunSignal.Failed, down.Run?.Signal);
        Assert.Equal("disk full", down.Message);
        Assert.Equal(12.5, down.Metrics!["ping_ms"]);

        var up = UptimeKumaPush.Signal("up", "OK", "");
        Assert.Null(up.Run);
        Assert.Null(up.Metrics);
    }

    private static JsonElement Alertmanager(string groupStatus, params (string Name, string Status)[] alerts) =>
        JsonSerializer.SerializeToElement(new
        {
            version = "4",
            status = groupStatus,
            receiver = "heartbeat",
            alerts = alerts.Select(a => new { status = a.Status, labels = new { alertname = a.Name, severity = "none" } }),
        });

    [Fact]
    public void A_firing_watchdog_is_a_heartbeat()
    {
        var signal = AlertmanagerWebhook.Decide(Alertmanager("firing", ("Watchdog", "firing")), "Watchdog");
        Assert.NotNull(signal);
        Assert.Null(signal.Run);
        Assert.Equal(HeartbeatSource.Alertmanager, signal.Source);
    }

    [Fact]
    public void A_resolved_watchdog_is_a_failure() =>
        Assert.Equal(RunSignal.Failed, AlertmanagerWebhook.Decide(Alertmanager("resolved", ("Watchdog", "resolved")), "Watchdog")?.Run?.Signal);

    [Fact]
    public void Other_alerts_and_other_payloads_are_not_heartbeats()
    {
        Assert.Null(AlertmanagerWebhook.Decide(Alertmanager("firing", ("DiskFull", "firing")), "Watchdog"));
        Assert.Null(AlertmanagerWebhook.Decide(JsonSerializer.SerializeToElement(new { hello = 1 }), "Watchdog"));
        Assert.NotNull(AlertmanagerWebhook.Decide(Alertmanager("firing", ("DeadMansSwitch", "firing")), "DeadMansSwitch"));
    }

    [Fact]
    public void A_ping_body_is_kept_short_and_storable_rather_than_refused()
    {
        Assert.Null(PingIntake.StorableMessage(""));
        Assert.Equal(PingIntake.MaxMessageLength, PingIntake.StorableMessage(new string('x', 5000))!.Length);
        Assert.Equal("a\uFFFDb\uFFFDc😀", PingIntake.StorableMessage("a\0b\uD800c😀"));
    }

    [Theory]
    [InlineData("/ping/abc", "/ping/***")]
    [InlineData("/ping/abc/start", "/ping/***/start")]
    [InlineData("/api/push/abc", "/api/push/***")]
    [InlineData("/api/alertmanager/abc", "/api/alertmanager/***")]
    [InlineData("/api/heartbeat/abc", "/api/heartbeat/abc")]
    public void Keys_in_paths_are_masked_wherever_a_path_is_recorded(string path, string recorded) =>
        Assert.Equal(recorded, SecretPaths.Redact(path));

    [Fact]
    public void Keys_in_forwarded_urls_are_masked_and_queries_dropped() =>
        Assert.Equal("http://ingest:5101/api/push/***", SecretPaths.Redact(new Uri("http://ingest:5101/api/push/secret?status=up&msg=x")));
}
