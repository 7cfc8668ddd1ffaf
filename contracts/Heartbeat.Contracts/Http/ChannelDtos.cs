namespace Heartbeat.Contracts.Http;

/// <summary>
/// A new channel. <see cref="Type"/> is <c>webhook</c> (<c>url</c>, <c>secret</c>), <c>telegram</c> (<c>bot_token</c>,
/// <c>chat_id</c>), <c>slack</c> (incoming-webhook <c>url</c>) or <c>email</c> (<c>to</c>). A channel may name a
/// <c>fallback_channel_id</c> that gets the notification when a delivery to this one fails for good.
/// </summary>
public sealed record CreateChannelRequest(
    string? Name,
    string? Type,
    string? Url,
    string? Secret,
    string? BotToken = null,
    string? ChatId = null,
    IReadOnlyList<string>? To = null,
    Guid? FallbackChannelId = null);

/// <summary>
/// A channel as GET shows it. Secrets (webhook secret, bot token) are never returned; URLs are shown only to
/// admin keys and then only as their origin (<c>https://hooks.slack.com/…</c>), since a path can carry a credential.
/// </summary>
public sealed record ChannelView(
    Guid Id,
    string Name,
    string Type,
    string? Url,
    DateTimeOffset CreatedAt,
    string? ChatId = null,
    IReadOnlyList<string>? To = null,
    Guid? FallbackChannelId = null,
    bool SecretSet = false);

/// <summary>What <c>POST /api/channels/{id}/test</c> sent and how the receiver answered.</summary>
public sealed record ChannelTestResult(string Outcome, int? StatusCode, string? Error);

/// <summary>One attempt of a delivery: when, how it ended, the receiver's status code or the error.</summary>
public sealed record DeliveryAttemptView(int Attempt, DateTimeOffset At, string Outcome, int? StatusCode, string? Error);

/// <summary>
/// One entry of the delivery log. <see cref="Kind"/> is offline or online; <see cref="Status"/> pending, delivered,
/// failed or cancelled. A delivery made because another channel failed names it in <see cref="FallbackFor"/>; a
/// failed one names the fallback delivery it caused in <see cref="FallbackDeliveryId"/>.
/// </summary>
public sealed record DeliveryView(
    string Id,
    Guid ChannelId,
    Guid MachineId,
    Guid EpisodeId,
    string Kind,
    string Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeliveredAt,
    string? LastError,
    DateTimeOffset? NextAttemptAt = null,
    Guid? FallbackFor = null,
    string? FallbackReason = null,
    string? FallbackDeliveryId = null,
    IReadOnlyList<DeliveryAttemptView>? AttemptLog = null);
