using System.Text.Json;
using Heartbeat.Notifier.Deliveries;

namespace Heartbeat.Notifier.Senders;

/// <summary>
/// The webhook members of per-machine notices, written only where they apply, so an ordinary offline or online keeps
/// its documented shape: <c>"dependents_unreachable":n</c> (an offline with n silent machines behind it);
/// <c>"message"</c> (a warning, or its end, with what the machine said); <c>"flapping":true|false</c> with
/// <c>"state"</c> (the state it is in, or settled in), <c>"transitions"</c> (within the window when it began; in the
/// whole episode when it ends) and <c>"window_seconds"</c>.
/// </summary>
public static class MachineNoticeBody
{
    public static void Write(Utf8JsonWriter json, Notification n)
    {
        if (n.DependentsUnreachable is { } behind) json.WriteNumber("dependents_unreachable", behind);
        if (n.Kind is Notification.Warning or Notification.WarningCleared)
        {
            json.WriteBoolean("warning", n.Kind == Notification.Warning);
            if (n.Message is { } message) json.WriteString("message", message);
            else json.WriteNull("message");
        }
        if (n.Kind is Notification.FlappingStarted or Notification.StableAgain)
        {
            json.WriteBoolean("flapping", n.Kind == Notification.FlappingStarted);
            json.WriteString("state", n.MachineStatus);
            if (n.Transitions is { } transitions) json.WriteNumber("transitions", transitions);
            if (n.Window is { } window) json.WriteNumber("window_seconds", (long)window.TotalSeconds);
        }
    }
}
