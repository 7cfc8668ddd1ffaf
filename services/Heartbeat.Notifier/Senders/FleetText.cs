using Heartbeat.Notifier.Deliveries;

namespace Heartbeat.Notifier.Senders;

/// <summary>
/// The human-readable storm digest and platform incident (Telegram, Slack, e-mail); null for a machine's own
/// notification. A digest names at most <see cref="MaxListed"/> machines (chat messages have size limits: Telegram
/// 4,096 characters, a Slack field 2,000) and says how many more there are; the dashboard has them all.
/// </summary>
public static class FleetText
{
    public const int MaxListed = 25;
    public const int MaxListLength = 1500;

    public static string? Title(Notification n) => Headline(n) is { } headline ? $"{Mark(n)} {headline}" : null;

    public static string? Subject(Notification n) => Headline(n) is { } headline ? $"[Heartbeat] {headline}" : null;

    private static string? Headline(Notification n) => n switch
    {
        { Digest: { Of: Notification.Offline } d } => $"Alert storm: {Machines(d.Machines.Count)} went offline",
        { Digest: { } d } => $"Alert storm: {Machines(d.Machines.Count)} back online",
        { Incident: { End: null } } => "Platform incident: heartbeat intake interrupted",
        { Incident: { } } => "Platform incident over: heartbeat intake restored",
        _ => null,
    };

    private static string Mark(Notification n) => n switch
    {
        { Digest: { Of: Notification.Offline } } => "🔴",
        { Digest: { } } => "🟢",
        { Incident: { End: null } } => "⚠️",
        _ => "✅",
    };

    public static IReadOnlyList<(string Label, string Value)>? Facts(Outgoing outgoing)
    {
        var n = outgoing.Notification;
        var facts = new List<(string, string)>();
        if (n.Digest is { } d)
        {
            facts.Add(("Machines", Listing(d.Machines)));
            facts.Add(("Between", $"{NotificationText.Time(d.From)} and {NotificationText.Time(d.Until)}"));
            facts.Add(("Note", "merged into one message (more than the storm threshold changed within the window); the first ones were sent on their own"));
            facts.Add(("Dashboard", d.DashboardUrl));
        }
        else if (n.Incident is { } i)
        {
            if (i.End is { } end)
            {
                facts.Add(("Interrupted", $"{NotificationText.Time(i.Start)} to {NotificationText.Time(end)}"));
                facts.Add(("Duration", NotificationText.Duration(i.Duration ?? end - i.Start)));
                facts.Add(("Meanwhile", "no machine was declared offline; every deadline moved by the interruption plus one expected interval"));
            }
            else
            {
                facts.Add(("Since", NotificationText.Time(i.Start)));
                facts.Add(("Meanwhile", "no machine is being declared offline: heartbeats may not be reaching the platform"));
            }
            facts.Add(("Cause", i.Cause));
            facts.Add(("Dashboard", i.DashboardUrl));
        }
        else return null;
        if (outgoing.Fallback is { } fallback)
            facts.Add(("Sent here because", $"channel \"{fallback.FailedChannelName}\" failed: {fallback.Reason}"));
        return facts;
    }

    /// <summary>At most <see cref="MaxListed"/> lines and <see cref="MaxListLength"/> characters, then how many more.</summary>
    private static string Listing(IReadOnlyList<DigestMachine> machines)
    {
        var lines = new List<string>();
        var length = 0;
        foreach (var line in machines.Take(MaxListed).Select(Line))
        {
            if (length + line.Length + 1 > MaxListLength) break;
            lines.Add(line);
            length += line.Length + 1;
        }
        return string.Join("\n", lines) + (machines.Count > lines.Count ? $"\n… and {machines.Count - lines.Count} more" : "");
    }

    private static string Machines(int count) => count == 1 ? "1 machine" : $"{count} machines";

    private static string Line(DigestMachine m) =>
        m.Name + (string.IsNullOrWhiteSpace(m.Hostname) ? "" : $" ({m.Hostname})") + (m.Tags.Count > 0 ? $" [{string.Join(", ", m.Tags)}]" : "");
}
