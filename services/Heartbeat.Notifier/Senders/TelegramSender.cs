using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Deliveries;
using Microsoft.Extensions.Options;

namespace Heartbeat.Notifier.Senders;

/// <summary>
/// Bot API <c>sendMessage</c> (<c>{base}/bot{token}/sendMessage</c>) with an HTML message. Errors carry the API's own
/// <c>description</c>, never the URL (which holds the token).
/// </summary>
public sealed class TelegramSender(HttpClient http, IOptions<NotifierOptions> options, TimeProvider time)
{
    public static JsonObject Body(string chatId, Outgoing outgoing, string dashboardUrl) => new()
    {
        ["chat_id"] = chatId,
        ["text"] = Html(outgoing, dashboardUrl),
        ["parse_mode"] = "HTML",
        ["link_preview_options"] = new JsonObject { ["is_disabled"] = true },
    };

    public static string Html(Outgoing outgoing, string dashboardUrl) =>
        $"<b>{Escape(NotificationText.Title(outgoing.Notification))}</b>\n" +
        string.Join("\n", NotificationText.Facts(outgoing, dashboardUrl).Select(f => f.Label == "Dashboard"
            ? $"<a href=\"{Escape(f.Value)}\">Open the dashboard</a>"
            : $"{Escape(f.Label)}: {Escape(f.Value)}"));

    /// <summary>The Bot API's HTML mode needs &amp;, &lt;, &gt; and quotes escaped, nothing else (emoji stay as they are).</summary>
    public static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");

    public async Task<SendOutcome> SendAsync(ChannelTarget channel, Outgoing outgoing, CancellationToken ct)
    {
        var settings = options.Value;
        var url = $"{settings.Telegram.ApiBaseUrl.TrimEnd('/')}/bot{channel.BotToken}/sendMessage";
        using var response = await http.PostAsJsonAsync(url, Body(channel.ChatId!, outgoing, settings.DashboardUrl), ct);
        var outcome = SendOutcome.Classify(response.StatusCode, response.Headers.RetryAfter, time.GetUtcNow());
        if (outcome.Result == SendResult.Delivered) return outcome;

        // The Bot API explains its refusals ("Bad Request: chat not found") and says how long to wait on 429.
        try
        {
            var error = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            var description = error.TryGetProperty("description", out var d) ? d.GetString() : null;
            var retryAfter = error.TryGetProperty("parameters", out var p) && p.TryGetProperty("retry_after", out var r) && r.TryGetInt32(out var seconds)
                ? TimeSpan.FromSeconds(seconds) : outcome.RetryAfter;
            return outcome with { Error = description is null ? outcome.Error : $"Telegram answered {(int)response.StatusCode}: {Truncate(description)}", RetryAfter = retryAfter };
        }
        catch (JsonException)
        {
            return outcome;
        }
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
