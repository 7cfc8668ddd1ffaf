using System.Text.Json;
using Heartbeat.Contracts.Messages;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// The webhook body, written field by field so its shape cannot drift with serializer settings:
/// <c>{"event","machine":{"id","name","hostname","description","status","last_seen"},"episode_id","occurred_at"}</c>.
/// </summary>
public static class WebhookBody
{
    public static byte[] For(MachineWentOffline offline) =>
        Write("machine.offline", offline.Machine, "offline", offline.LastSeenAt, offline.EpisodeId, offline.DetectedAt);

    public static byte[] For(MachineWentOnline online) =>
        Write("machine.online", online.Machine, "online", online.CameBackAt, online.EpisodeId, online.CameBackAt);

    private static byte[] Write(string @event, MachineSnapshot machine, string status, DateTimeOffset? lastSeen, Guid episodeId, DateTimeOffset occurredAt)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event", @event);
            json.WriteStartObject("machine");
            json.WriteString("id", machine.Id);
            json.WriteString("name", machine.Name);
            json.WriteString("hostname", machine.Hostname);
            json.WriteString("description", machine.Description);
            json.WriteString("status", status);
            if (lastSeen is { } seen) json.WriteString("last_seen", seen);
            else json.WriteNull("last_seen");
            json.WriteEndObject();
            json.WriteString("episode_id", episodeId);
            json.WriteString("occurred_at", occurredAt);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
