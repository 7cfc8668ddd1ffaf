using Heartbeat.Contracts.Http;

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

    /// <summary>Admins see origins, addresses and chat ids; read keys see neither URLs nor where messages go.</summary>
    public ChannelView ToView(bool admin) => new(
        Id, Name, Type,
        admin && UrlOrigin is not null ? UrlOrigin + "/…" : null,
        CreatedAt,
        admin ? ChatId : null,
        admin ? To : null,
        FallbackChannelId,
        ProtectedSecret is not null || ProtectedBotToken is not null);

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
