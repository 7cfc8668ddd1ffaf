using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Deliveries;
using Microsoft.Extensions.Options;

namespace Heartbeat.Notifier.Senders;

/// <summary>Slack incoming webhook: <c>text</c> (notifications and fallbacks) plus blocks (a header, the facts, the dashboard link).</summary>
public sealed class SlackSender(HttpClient http, IOptions<NotifierOptions> options, TimeProvider time)
{
    public static JsonObject Body(Outgoing outgoing, string dashboardUrl)
    {
        var facts = NotificationText.Facts(outgoing, dashboardUrl);
        var title = NotificationText.Title(outgoing.Notification);
        var fields = new JsonArray(facts.Where(f => f.Label != "Dashboard")
            .Select(f => (JsonNode)new JsonObject { ["type"] = "mrkdwn", ["text"] = $"*{Escape(f.Label)}*\n{Escape(f.Value)}" }).ToArray());
        return new JsonObject
        {
            ["text"] = title,
            ["blocks"] = new JsonArray(
                new JsonObject { ["type"] = "header", ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = title, ["emoji"] = true } },
                new JsonObject { ["type"] = "section", ["fields"] = fields },
                new JsonObject
                {
                    ["type"] = "context",
                    ["elements"] = new JsonArray(new JsonObject { ["type"] = "mrkdwn", ["text"] = $"<{dashboardUrl}|Open the dashboard> · episode {outgoing.Notification.EpisodeId}" }),
                }),
        };
    }

    /// <summary>Slack's mrkdwn needs only &amp;, &lt; and &gt; escaped.</summary>
    public static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    public async Task<SendOutcome> SendAsync(ChannelTarget channel, Outgoing outgoing, CancellationToken ct)
    {
        using var response = await http.PostAsJsonAsync(channel.Url, Body(outgoing, options.Value.DashboardUrl), ct);
        return SendOutcome.Classify(response.StatusCode, response.Headers.RetryAfter, time.GetUtcNow());
    }
}
