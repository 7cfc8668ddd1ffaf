using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Deliveries;

namespace Heartbeat.Notifier.Senders;

/// <summary>
/// What people read for per-machine notices (Telegram, Slack, e-mail): a warning and its end, flapping and stable
/// again, and an offline with machines behind it ("switch-3 is offline; 40 machines behind it are unreachable").
/// Null for everything else, which <see cref="NotificationText"/> tells as before.
/// </summary>
public static class MachineNoticeText
{
    /// <summary>The headline without its emoji (the e-mail subject uses it).</summary>
    public static string? Headline(Notification n) => n.Kind switch
    {
        Notification.Offline when n.Reminder is null && n.DependentsUnreachable is { } behind =>
            $"{n.Machine.Name} is offline; {behind} {(behind == 1 ? "machine behind it is" : "machines behind it are")} unreachable",
        Notification.Warning => $"{n.Machine.Name} reports a warning",
        Notification.WarningCleared => $"{n.Machine.Name} no longer reports a warning",
        Notification.FlappingStarted => $"{n.Machine.Name} is flapping ({n.Transitions} transitions within {Window(n)})",
        Notification.StableAgain => $"{n.Machine.Name} is stable again: {n.MachineStatus}",
        _ => null,
    };

    public static string? Title(Notification n) => Headline(n) is { } headline ? $"{Emoji(n)} {headline}" : null;

    private static string Emoji(Notification n) => n.Kind switch
    {
        Notification.Offline => "🔴",
        Notification.Warning => "🟡",
        Notification.FlappingStarted => "🟠",
        Notification.StableAgain when n.MachineStatus == Notification.Offline => "🔴",
        _ => "🟢",
    };

    /// <summary>The facts after the title for warnings and flapping; null for offlines and onlines.</summary>
    public static IReadOnlyList<(string Label, string Value)>? Facts(Notification n) => n.Kind switch
    {
        Notification.Warning => [("Message", n.Message ?? "(none)"), ("Reported at", NotificationText.Time(n.OccurredAt))],
        Notification.WarningCleared => [("Message", n.Message ?? "(none)"), ("Cleared at", NotificationText.Time(n.OccurredAt))],
        Notification.FlappingStarted =>
        [
            ("Now", n.MachineStatus), ("Since", NotificationText.Time(n.OccurredAt)),
            ("Note", $"its transitions are not told one by one until it holds one state for {Window(n)}"),
        ],
        Notification.StableAgain =>
            [("State", n.MachineStatus), ("Transitions while flapping", $"{n.Transitions}"), ("Stable since", NotificationText.Time(n.OccurredAt - (n.Window ?? TimeSpan.Zero)))],
        _ => null,
    };

    private static string Window(Notification n) => n.Window is { } window ? ChannelRouting.Format(window) : "the window";
}
