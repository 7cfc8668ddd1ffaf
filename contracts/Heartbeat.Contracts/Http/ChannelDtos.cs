namespace Heartbeat.Contracts.Http;

public sealed record CreateChannelRequest(string? Name, string? Type, string? Url, string? Secret);

/// <summary>A notification channel. Its secret is never returned.</summary>
public sealed record ChannelView(Guid Id, string Name, string Type, string Url, DateTimeOffset CreatedAt);

/// <summary>One entry of the delivery log. <see cref="Kind"/> is offline or online.</summary>
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
    string? LastError);
