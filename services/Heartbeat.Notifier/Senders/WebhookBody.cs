using System.Text.Json;
using Heartbeat.Notifier.Deliveries;

namespace Heartbeat.Notifier.Senders;

/// <summary>
/// The webhook body, written field by field so its shape cannot drift with serializer settings:
/// <c>{"event","machine":{"id","name","hostname","description","status","last_seen"},"episode_id","occurred_at"}</c>,
/// plus <c>"detected_late":true</c> only for a past outage found after the fact (so today's receivers see today's
/// shape), <c>"reminder":n</c> only for the n-th repeat of an offline while the machine stays down,
/// and <c>"fallback":{"failed_channel_id","failed_channel_name","reason"}</c> when another channel failed for good.
/// Per-machine notices add their own members (<see cref="MachineNoticeBody"/>): <c>"dependents_unreachable"</c> on an
/// offline with silent machines behind it, <c>"message"</c> on <c>machine.warning</c>, <c>"flapping"</c> and the rest on
/// <c>machine.flapping</c>; <c>machine.status</c> is the state the notice tells.
/// </summary>
public static class WebhookBody
{
    public static byte[] For(Outgoing outgoing)
    {
        if (FleetWebhookBody.For(outgoing) is { } fleet) return fleet;
        var n = outgoing.Notification;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("event", n.Event);
            json.WriteStartObject("machine");
            json.WriteString("id", n.Machine.Id);
            json.WriteString("name", n.Machine.Name);
            json.WriteString("hostname", n.Machine.Hostname);
            json.WriteString("description", n.Machine.Description);
            json.WriteString("status", n.MachineStatus);
            if (n.LastSeen is { } seen) json.WriteString("last_seen", seen);
            else json.WriteNull("last_seen");
            json.WriteEndObject();
            json.WriteString("episode_id", n.EpisodeId);
            json.WriteString("occurred_at", n.OccurredAt);
            if (n.DetectedLate) json.WriteBoolean("detected_late", true);
            if (n.Reminder is { } reminder) json.WriteNumber("reminder", reminder);
            MachineNoticeBody.Write(json, n);
            WriteFallback(json, outgoing.Fallback);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Which channel failed and why, when this is a fallback delivery: the same for every kind of notification.</summary>
    public static void WriteFallback(Utf8JsonWriter json, FallbackNote? fallback)
    {
        if (fallback is null) return;
        json.WriteStartObject("fallback");
        json.WriteString("failed_channel_id", fallback.FailedChannelId);
        json.WriteString("failed_channel_name", fallback.FailedChannelName);
        json.WriteString("reason", fallback.Reason);
        json.WriteEndObject();
    }
}
