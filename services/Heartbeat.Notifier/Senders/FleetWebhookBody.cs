using System.Text.Json;
using Heartbeat.Notifier.Deliveries;

namespace Heartbeat.Notifier.Senders;

/// <summary>
/// The webhook bodies of fleet-wide notifications, written field by field like <see cref="WebhookBody"/> and signed
/// the same way; null for a machine's own notification.
/// Digest: <c>{"event":"digest","kind":"offline"|"online","digest_id","count","machines":[{"id","name","hostname","tags",
/// "episode_id","at","last_seen"}],"from","until","dashboard_url","occurred_at"}</c>.
/// Incident: <c>{"event":"platform.incident","state":"started"|"ended","incident_id","started_at","ended_at","duration_seconds",
/// "cause","dashboard_url","occurred_at"}</c> (<c>ended_at</c> and <c>duration_seconds</c> null while it lasts).
/// Both carry <c>"fallback":{...}</c> when another channel failed for good.
/// </summary>
public static class FleetWebhookBody
{
    public static byte[]? For(Outgoing outgoing)
    {
        var n = outgoing.Notification;
        if (n.Digest is null && n.Incident is null) return null;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (n.Digest is { } d)
            {
                json.WriteString("event", "digest");
                json.WriteString("kind", d.Of);
                json.WriteString("digest_id", d.DigestId);
                json.WriteNumber("count", d.Machines.Count);
                json.WriteStartArray("machines");
                foreach (var m in d.Machines)
                {
                    json.WriteStartObject();
                    json.WriteString("id", m.Id);
                    json.WriteString("name", m.Name);
                    json.WriteString("hostname", m.Hostname);
                    json.WriteStartArray("tags");
                    foreach (var tag in m.Tags) json.WriteStringValue(tag);
                    json.WriteEndArray();
                    json.WriteString("episode_id", m.EpisodeId);
                    json.WriteString("at", m.At);
                    if (m.LastSeen is { } seen) json.WriteString("last_seen", seen);
                    else json.WriteNull("last_seen");
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteString("from", d.From);
                json.WriteString("until", d.Until);
                json.WriteString("dashboard_url", d.DashboardUrl);
            }
            else if (n.Incident is { } i)
            {
                json.WriteString("event", "platform.incident");
                json.WriteString("state", i.State);
                json.WriteString("incident_id", i.IncidentId);
                json.WriteString("started_at", i.Start);
                if (i.End is { } end) json.WriteString("ended_at", end);
                else json.WriteNull("ended_at");
                if (i.Duration is { } duration) json.WriteNumber("duration_seconds", Math.Round(duration.TotalSeconds, 3));
                else json.WriteNull("duration_seconds");
                json.WriteString("cause", i.Cause);
                json.WriteString("dashboard_url", i.DashboardUrl);
            }
            json.WriteString("occurred_at", n.OccurredAt);
            WebhookBody.WriteFallback(json, outgoing.Fallback);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
