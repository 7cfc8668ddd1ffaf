namespace Heartbeat.Contracts.Http;

/// <summary>
/// A new channel. <see cref="Type"/> is <c>webhook</c> (<c>url</c>, <c>secret</c>), <c>telegram</c> (<c>bot_token</c>,
/// <c>chat_id</c>), <c>slack</c> (incoming-webhook <c>url</c>) or <c>email</c> (<c>to</c>). A channel may name a
/// <c>fallback_channel_id</c> that gets the notification when a delivery to this one fails for good.
/// Routing: <c>machines</c> (<c>{"ids":[...]}</c> or <c>{"tags":[...]}</c>; all when absent) and <c>events</c> (a subset of
/// machine.offline, machine.online, machine.warning, machine.flapping, digest, platform.incident); reminders:
/// <c>renotify_every</c> (e.g. <c>1h</c>) while a machine stays offline, at most <c>renotify_max</c> times.
/// </summary>
public sealed record CreateChannelRequest(
    string? Name,
    string? Type,
    string? Url,
    string? Secret,
    string? BotToken = null,
    string? ChatId = null,
    IReadOnlyList<string>? To = null,
    Guid? FallbackChannelId = null,
    ChannelMachines? Machines = null,
    IReadOnlyList<string>? Events = null,
    string? RenotifyEvery = null,
    int? RenotifyMax = null);

/// <summary>Which machines a channel (or a maintenance window) covers: by id or by tag (any of them); all when neither is named.</summary>
public sealed record ChannelMachines(IReadOnlyList<Guid>? Ids = null, IReadOnlyList<string>? Tags = null);

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
    bool SecretSet = false,
    ChannelMachines? Machines = null,
    IReadOnlyList<string>? Events = null,
    string? RenotifyEvery = null,
    int? RenotifyMax = null);

/// <summary>What <c>POST /api/channels/{id}/test</c> sent and how the receiver answered.</summary>
public sealed record ChannelTestResult(string Outcome, int? StatusCode, string? Error);

/// <summary>One attempt of a delivery: when, how it ended, the receiver's status code or the error.</summary>
public sealed record DeliveryAttemptView(int Attempt, DateTimeOffset At, string Outcome, int? StatusCode, string? Error);

/// <summary>
/// One entry of the delivery log. <see cref="Kind"/> is offline or online; <see cref="Status"/> pending, delivered,
/// failed or cancelled. A delivery made because another channel failed names it in <see cref="FallbackFor"/>; a
/// failed one names the fallback delivery it caused in <see cref="FallbackDeliveryId"/>.
/// A notification that was not sent on its own has status <c>suppressed</c> and says why in <see cref="Reason"/>
/// (paused, preference, maintenance, dependency, flapping, digest) and <see cref="Detail"/>; kind <c>reminder</c> repeats
/// an offline while the machine stays down; <c>warning</c> and <c>warning_cleared</c> begin and end a warning spell, and
/// <c>flapping</c> and <c>stable</c> a flapping episode (<see cref="EpisodeId"/> is the spell's or the episode's id).
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
    IReadOnlyList<DeliveryAttemptView>? AttemptLog = null,
    string? Reason = null,
    string? Detail = null);

/// <summary>
/// A new maintenance window for some machines (<c>machines</c>: <c>{"ids":[...]}</c> or <c>{"tags":[...]}</c>): either
/// once, <c>starts_at</c> to <c>ends_at</c>, or recurring, a cron <c>schedule</c> (5 fields) in <c>timezone</c> (IANA,
/// default UTC) with each occurrence lasting <c>duration</c> (e.g. <c>2h</c>).
/// </summary>
public sealed record CreateMaintenanceWindowRequest(
    ChannelMachines? Machines,
    DateTimeOffset? StartsAt = null,
    DateTimeOffset? EndsAt = null,
    string? Schedule = null,
    string? Timezone = null,
    string? Duration = null);

/// <summary>A maintenance window as stored, with the occurrence in force now (<see cref="ActiveUntil"/>) if any.</summary>
public sealed record MaintenanceWindowView(
    Guid Id,
    ChannelMachines Machines,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    string? Schedule,
    string? Timezone,
    string? Duration,
    bool Active,
    DateTimeOffset? ActiveUntil);
