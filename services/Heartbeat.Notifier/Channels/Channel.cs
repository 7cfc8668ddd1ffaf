using Heartbeat.Contracts.Http;
using Heartbeat.Notifier.Quiet;

namespace Heartbeat.Notifier.Channels;

/// <summary>
/// Where notifications go, as stored. Everything that grants access to a receiver (webhook URL and secret, bot token,
/// Slack URL) is kept only encrypted (<see cref="ChannelSecrets"/>); <see cref="UrlOrigin"/> is the part that is safe to show.
/// </summary>
public sealed class Channel
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Type { get; set; } = ChannelTypes.Webhook;
    public DateTimeOffset CreatedAt { get; set; }

    public string? ProtectedUrl { get; set; }
    public string? UrlOrigin { get; set; }
    public string? ProtectedSecret { get; set; }
    public string? ProtectedBotToken { get; set; }
    public string? ChatId { get; set; }
    public List<string>? To { get; set; }
    public Guid? FallbackChannelId { get; set; }

    /// <summary>Routing: machines by id or by tag (all when neither), and the events wanted (the default set when null).</summary>
    public List<Guid>? MachineIds { get; set; }
    public List<string>? MachineTags { get; set; }
    public List<string>? Events { get; set; }
    /// <summary>Reminders: repeat an offline this often while the machine stays down, at most <see cref="RenotifyMax"/> times.</summary>
    public TimeSpan? RenotifyEvery { get; set; }
    public int? RenotifyMax { get; set; }

    public ChannelRoute Route() => new(
        new MachineSelector(MachineIds, MachineTags),
        Events is null ? NotificationEvents.Default : Events.ToHashSet());

    /// <summary>Admins see origins, addresses and chat ids; read keys see neither URLs nor where messages go.</summary>
    public ChannelView ToView(bool admin) => new(
        Id, Name, Type,
        admin && UrlOrigin is not null ? UrlOrigin + "/…" : null,
        CreatedAt,
        admin ? ChatId : null,
        admin ? To : null,
        FallbackChannelId,
        ProtectedSecret is not null || ProtectedBotToken is not null,
        MachineIds is { Count: > 0 } || MachineTags is { Count: > 0 } ? new ChannelMachines(MachineIds, MachineTags) : null,
        Events ?? NotificationEvents.Default.Order().ToList(),
        RenotifyEvery is { } every ? ChannelRouting.Format(every) : null,
        RenotifyEvery is null ? null : RenotifyMax);

    /// <summary>Never a secret: channels appear in logs and exception messages by this.</summary>
    public override string ToString() => $"{Type} channel {Id} ({Name})";
}

public static class ChannelTypes
{
    public const string Webhook = "webhook";
    public const string Telegram = "telegram";
    public const string Slack = "slack";
    public const string Email = "email";

    public static readonly string[] All = [Webhook, Telegram, Slack, Email];
}

/// <summary>A channel with its secrets decrypted, only in memory and only for sending.</summary>
public sealed record ChannelTarget(Guid Id, string Name, string Type, string? Url, string? Secret, string? BotToken, string? ChatId, IReadOnlyList<string> To)
{
    public override string ToString() => $"{Type} channel {Id} ({Name})";
}
