using System.Globalization;
using System.Text.RegularExpressions;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests;

/// <summary>
/// The platform's own metrics as a Prometheus would scrape them from each running service's <c>/metrics</c>, before and
/// after a scripted outage: the names, units and values move as the outage says they must.
/// </summary>
[Collection(PlatformCollection.Name)]
public class MetricsTests(PlatformFixture platform)
{
    [Fact]
    public async Task Each_service_reports_the_outage_it_saw_on_its_metrics_endpoint()
    {
        var before = await ScrapeAllAsync();
        var machine = await platform.RegisterAsync(thresholdSeconds: 1);
        await platform.RunEpisodeAsync(machine, TimeSpan.FromSeconds(15));

        // Counters and histograms are cumulative and other machines of this fixture may move them too: at least this
        // episode's share must show, within a bound, since exporters read them when scraped.
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        Dictionary<string, string> after;
        while (true)
        {
            after = await ScrapeAllAsync();
            var moved =
                Delta(before, after, "detector", "heartbeat_transitions_total", "kind=\"offline\"") >= 1
                && Delta(before, after, "detector", "heartbeat_transitions_total", "kind=\"online\"") >= 1
                && Delta(before, after, "detector", "heartbeat_detection_delay_seconds_count") >= 1
                && Delta(before, after, "notifier", "heartbeat_notifications_total", "outcome=\"delivered\"") >= 2
                && Delta(before, after, "notifier", "heartbeat_delivery_latency_seconds_count") >= 2
                && Delta(before, after, "ingest", "heartbeat_heartbeats_received_total", "outcome=\"accepted\"") >= 2
                && Delta(before, after, "ingest", "heartbeat_group_commit_size_count") >= 1;
            if (moved) break;
            if (DateTimeOffset.UtcNow > deadline)
                Assert.Fail("The metrics did not show the outage within 20 s:\n" + string.Join("\n", after.Select(s =>
                    $"--- {s.Key}\n" + string.Join("\n", s.Value.Split('\n').Where(l => l.StartsWith("heartbeat_", StringComparison.Ordinal))))));
            await Task.Delay(500);
        }

        // Gauges: machines by status include this paused machine; the retry queue and the tracker's lag are numbers.
        Assert.True(Value(after["detector"], "heartbeat_machines", "status=\"paused\"") >= 1, "heartbeat_machines{status=\"paused\"}");
        Assert.Matches(@"(?m)^heartbeat_tracker_lag_seconds(\{[^}]*\})? \S+", after["detector"]);
        Assert.InRange(Value(after["detector"], "heartbeat_tracker_lag_seconds"), 0, 60);
        Assert.Matches(@"(?m)^heartbeat_delivery_pending(\{[^}]*\})? \d+", after["notifier"]);
        // Units as Prometheus names them, and the instruments' types.
        Assert.Contains("# TYPE heartbeat_detection_delay_seconds histogram", after["detector"]);
        Assert.Contains("# TYPE heartbeat_transitions_total counter", after["detector"]);
        Assert.Contains("# TYPE heartbeat_machines gauge", after["detector"]);
        Assert.Contains("# TYPE heartbeat_delivery_latency_seconds histogram", after["notifier"]);
        Assert.Contains("# TYPE heartbeat_group_commit_duration_seconds histogram", after["ingest"]);
        // A detection delay the deadline says: the episode's offline came within seconds, not minutes, of it.
        Assert.True(Value(after["detector"], "heartbeat_detection_delay_seconds_bucket", "le=\"10\"") >= 1, "a detection within 10 s");

        // With tracing on, the OpenMetrics exposition carries exemplars: a delivery's latency links to its trace.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(platform.Notifier.BaseAddress, "/metrics"));
        request.Headers.Accept.ParseAdd("application/openmetrics-text; version=1.0.0");
        using var response = await http.SendAsync(request);
        var openMetrics = await response.Content.ReadAsStringAsync();
        Assert.Matches(@"(?m)^heartbeat_delivery_latency_seconds_bucket\{[^}]*\} \S+ # \{trace_id=""[0-9a-f]{32}"",span_id=""[0-9a-f]{16}""\}", openMetrics);
    }

    private async Task<Dictionary<string, string>> ScrapeAllAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var scraped = new Dictionary<string, string>();
        foreach (var (name, service) in new[] { ("ingest", platform.Ingest), ("detector", platform.Detector), ("notifier", platform.Notifier) })
            scraped[name] = await http.GetStringAsync(new Uri(service.BaseAddress, "/metrics"));
        return scraped;
    }

    private static double Delta(Dictionary<string, string> before, Dictionary<string, string> after, string service, string name, string? label = null) =>
        Value(after[service], name, label) - Value(before[service], name, label);

    /// <summary>The sum of a metric's samples whose labels contain <paramref name="label"/> (all of them when null); 0 when absent.</summary>
    private static double Value(string exposition, string name, string? label = null)
    {
        var sample = new Regex($@"^{Regex.Escape(name)}(\{{(?<labels>[^}}]*)\}})? (?<value>\S+)", RegexOptions.Multiline);
        return sample.Matches(exposition)
            .Where(m => label is null || m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal))
            .Sum(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
    }
}
