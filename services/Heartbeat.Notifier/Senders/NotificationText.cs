using System.Globalization;
using Heartbeat.Notifier.Deliveries;

namespace Heartbeat.Notifier.Senders;

/// <summary>The human-readable message (Telegram, Slack, e-mail): what happened, to which machine, since when, and a link.</summary>
public static class NotificationText
{
    public static string Title(Notification n) =>
        FleetText.Title(n) ?? MachineNoticeText.Title(n) ?? (n.Reminder is { } r ? $"🔴 {n.Machine.Name} is still offline (reminder {r})"
        : n.Kind == Notification.Offline ? $"🔴 {n.Machine.Name} is offline"
        : n.DetectedLate ? $"🟡 {n.Machine.Name} was offline (a past outage, now over)"
        : $"🟢 {n.Machine.Name} is back online");

    public static string Subject(Notification n) =>
        FleetText.Subject(n) is { } fleet ? fleet
        : MachineNoticeText.Headline(n) is { } headline ? $"[Heartbeat] {headline}"
        : n.Reminder is { } r ? $"[Heartbeat] {n.Machine.Name} is still offline (reminder {r})"
        : n.Kind == Notification.Offline ? $"[Heartbeat] {n.Machine.Name} is offline"
        : n.DetectedLate ? $"[Heartbeat] {n.Machine.Name} was offline (past outage)"
        : $"[Heartbeat] {n.Machine.Name} is back online";

    /// <summary>The lines after the title, as (label, value); the caller formats them for its medium.</summary>
    public static IReadOnlyList<(string Label, string Value)> Facts(Outgoing outgoing, string dashboardUrl)
    {
        if (FleetText.Facts(outgoing) is { } fleet) return fleet;
        var n = outgoing.Notification;
        var facts = new List<(string, string)>();
        if (!string.IsNullOrWhiteSpace(n.Machine.Hostname)) facts.Add(("Host", n.Machine.Hostname));
        if (n.Kind == Notification.Offline)
            facts.Add(("Last seen", n.LastSeen is { } seen ? Time(seen) : "never"));
        else if (MachineNoticeText.Facts(n) is { } notice)
            facts.AddRange(notice);
        else
        {
            if (n.Downtime is { } downtime) facts.Add(("Downtime", Duration(downtime)));
            if (n.OfflineSince is { } since) facts.Add(("Offline since", Time(since)));
            facts.Add(("Back at", Time(n.OccurredAt)));
        }
        if (n.DetectedLate)
            facts.Add(("Note", "found after the fact: the platform was not watching while it happened"));
        facts.Add(("Dashboard", dashboardUrl));
        if (outgoing.Fallback is { } fallback)
            facts.Add(("Sent here because", $"channel \"{fallback.FailedChannelName}\" failed: {fallback.Reason}"));
        return facts;
    }

    public static string Plain(Outgoing outgoing, string dashboardUrl) =>
        Title(outgoing.Notification) + "\n\n" + string.Join("\n", Facts(outgoing, dashboardUrl).Select(f => $"{f.Label}: {f.Value}")) + "\n";

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>1h 2m 3s, the largest units only: "2d 3h", "5m 12s", "800ms".</summary>
    public static string Duration(TimeSpan d)
    {
        if (d < TimeSpan.FromSeconds(1)) return $"{Math.Max(0, (int)d.TotalMilliseconds)}ms";
        var parts = new List<string>();
        if (d.Days > 0) parts.Add($"{d.Days}d");
        if (d.Hours > 0) parts.Add($"{d.Hours}h");
        if (d.Minutes > 0) parts.Add($"{d.Minutes}m");
        if (d.Seconds > 0) parts.Add($"{d.Seconds}s");
        return string.Join(" ", parts.Take(2));
    }
}
