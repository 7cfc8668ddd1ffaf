using System.Globalization;
using System.Net;
using System.Text;
using Heartbeat.Contracts.Http;
using Heartbeat.Detector.Status;

namespace Heartbeat.Detector.StatusPages;

/// <summary>A status page as self-contained HTML: no script, no key, names only unless the page shows hostnames.</summary>
public static class StatusPageHtml
{
    public sealed record Day(DateTimeOffset Date, MachineTimeline.Report Uptime);

    public sealed record Row(MachineView Machine, MachineTimeline.Report Uptime, IReadOnlyList<Day> Days);

    /// <summary>What the public reads: up (online, warning), late, down (offline), paused, waiting (never seen).</summary>
    public static string PublicStatus(string status) => status switch
    {
        "online" or "warning" => "up",
        "offline" => "down",
        "new" => "waiting",
        _ => status,
    };

    public static string Render(StatusPage page, IReadOnlyList<Row> rows, DateTimeOffset now)
    {
        var down = rows.Count(r => r.Machine.Status == "offline");
        var headline = rows.Count == 0 ? "No machines on this page" : down == 0 ? "All machines are up" : $"{down} of {rows.Count} machines down";
        var html = new StringBuilder();
        html.Append($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="refresh" content="60"><title>{{E(page.Title)}}</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:0 auto;max-width:56rem;padding:1rem;color:#1f2328}
            h1{font-size:1.5rem}.headline{padding:.75rem 1rem;border-radius:6px;font-weight:600;background:#dafbe1}
            .headline.down{background:#ffebe9}ul{list-style:none;padding:0}li{border-bottom:1px solid #d0d7de;padding:.75rem 0}
            .top{display:flex;justify-content:space-between;gap:.5rem;flex-wrap:wrap}.status{font-weight:600;padding:0 .5rem;border-radius:4px}
            .up{background:#dafbe1}.down{background:#ffebe9}.late{background:#fff8c5}.paused,.waiting{background:#eaeef2}
            .bars{display:flex;gap:1px;margin-top:.4rem;height:28px}.bars span{flex:1;border-radius:1px;background:#d0d7de}
            .bars .ok{background:#2da44e}.bars .partial{background:#d4a72c}.bars .bad{background:#cf222e}
            .muted{color:#57606a;font-size:.85rem}footer{margin-top:1rem}
            </style></head><body>
            <h1>{{E(page.Title)}}</h1>
            <p class="headline{{(down > 0 ? " down" : "")}}" role="status">{{E(headline)}}</p>
            <ul>
            """);
        foreach (var row in rows)
        {
            var m = row.Machine;
            var status = PublicStatus(m.Status);
            html.Append($"""<li data-machine="{E(m.Name)}"><div class="top"><span><strong>{E(m.Name)}</strong>""");
            if (page.ShowHostnames && m.Hostname is { } host) html.Append($""" <span class="muted">{E(host)}</span>""");
            html.Append($"""</span><span><span class="muted">{Percent(row.Uptime)} uptime, {StatusPagesApi.Days} days</span> <span class="status {status}">{status}</span></span></div>""");
            html.Append($"""<div class="bars" aria-label="Uptime per day for {StatusPagesApi.Days} days">""");
            foreach (var day in row.Days)
            {
                var (css, text) = day.Uptime.Monitored <= TimeSpan.Zero ? ("", "no data")
                    : day.Uptime.UptimeRatio >= 1 ? ("ok", "100 %")
                    : day.Uptime.UptimeRatio >= 0.99 ? ("partial", Percent(day.Uptime))
                    : ("bad", Percent(day.Uptime));
                html.Append($"""<span class="{css}" title="{day.Date:yyyy-MM-dd}: {text}"></span>""");
            }
            html.Append("</div></li>\n");
        }
        html.Append($"""
            </ul>
            <footer class="muted">Updated {now.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC; this page reloads every minute.</footer>
            </body></html>
            """);
        return html.ToString();
    }

    public static string NotFound() =>
        """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body><h1>No such status page</h1></body></html>""";

    private static string Percent(MachineTimeline.Report r) =>
        r.Monitored <= TimeSpan.Zero ? "—" : (r.UptimeRatio * 100).ToString(r.UptimeRatio >= 1 ? "0" : "0.##", CultureInfo.InvariantCulture) + " %";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
