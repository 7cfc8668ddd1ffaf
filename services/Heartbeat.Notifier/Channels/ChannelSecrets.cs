using Heartbeat.Contracts.Http;
using Heartbeat.Notifier.Quiet;
using Microsoft.AspNetCore.DataProtection;

namespace Heartbeat.Notifier.Channels;

/// <summary>
/// Encrypts and decrypts a channel's secrets with Data Protection (key ring in PostgreSQL, shared by every replica).
/// A request's plain values become a stored <see cref="Channel"/> here and nowhere else.
/// </summary>
public sealed class ChannelSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("Heartbeat.Notifier.Channels.v1");

    public Channel Seal(Guid id, DateTimeOffset createdAt, ChannelDraft draft) => new()
    {
        Id = id,
        Name = draft.Name,
        Type = draft.Type,
        CreatedAt = createdAt,
        ProtectedUrl = Protect(draft.Url),
        UrlOrigin = draft.Url is null ? null : new Uri(draft.Url).GetLeftPart(UriPartial.Authority),
        ProtectedSecret = Protect(draft.Secret),
        ProtectedBotToken = Protect(draft.BotToken),
        ChatId = draft.ChatId,
        To = draft.To?.ToList(),
        FallbackChannelId = draft.FallbackChannelId,
        MachineIds = draft.Machines?.Ids is { Count: > 0 } ids ? ids.Distinct().ToList() : null,
        MachineTags = draft.Machines?.Tags is { Count: > 0 } tags ? tags.Distinct(StringComparer.OrdinalIgnoreCase).ToList() : null,
        Events = draft.Events?.Distinct().ToList(),
        RenotifyEvery = ChannelRouting.ParseEvery(draft.RenotifyEvery),
        RenotifyMax = draft.RenotifyEvery is null ? null : draft.RenotifyMax ?? ChannelRouting.DefaultRenotifyMax,
    };

    public ChannelTarget Open(Channel channel) => new(
        channel.Id, channel.Name, channel.Type,
        Unprotect(channel.ProtectedUrl), Unprotect(channel.ProtectedSecret), Unprotect(channel.ProtectedBotToken),
        channel.ChatId, channel.To ?? []);

    /// <summary>The channel as a draft, to apply a PATCH to and validate again.</summary>
    public ChannelDraft Draft(Channel channel)
    {
        var target = Open(channel);
        return new ChannelDraft(channel.Name, channel.Type, target.Url, target.Secret, target.BotToken, channel.ChatId, channel.To, channel.FallbackChannelId,
            new MachineSelector(channel.MachineIds, channel.MachineTags), channel.Events,
            channel.RenotifyEvery is { } every ? ChannelRouting.Format(every) : null, channel.RenotifyMax);
    }

    private string? Protect(string? value) => value is null ? null : _protector.Protect(value);
    private string? Unprotect(string? value) => value is null ? null : _protector.Unprotect(value);
}

/// <summary>A channel's settings in plain text, validated, before they are sealed.</summary>
public sealed record ChannelDraft(string Name, string Type, string? Url, string? Secret, string? BotToken, string? ChatId, IReadOnlyList<string>? To, Guid? FallbackChannelId,
    MachineSelector? Machines = null, IReadOnlyList<string>? Events = null, string? RenotifyEvery = null, int? RenotifyMax = null)
{
    public static ChannelDraft From(CreateChannelRequest r) => new(
        r.Name?.Trim() ?? "", r.Type?.Trim().ToLowerInvariant() ?? "", r.Url?.Trim(), r.Secret, r.BotToken?.Trim(), r.ChatId?.Trim(),
        r.To?.Select(t => t.Trim()).ToList(), r.FallbackChannelId,
        r.Machines is null ? null : new MachineSelector(r.Machines.Ids, r.Machines.Tags?.Select(t => t?.Trim() ?? "").ToList()),
        r.Events?.Select(e => e?.Trim() ?? "").ToList(), r.RenotifyEvery?.Trim(), r.RenotifyMax);
}
