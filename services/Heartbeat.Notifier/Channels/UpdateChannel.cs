using System.Text.Json;
using Heartbeat.Contracts.Http;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Heartbeat.Notifier.Channels;

/// <summary>
/// PATCH /api/channels/{id}: only the fields present change (<c>"fallback_channel_id": null</c> removes the fallback);
/// the result is validated as a whole, as on creation. The type cannot change: create another channel instead.
/// </summary>
public static class UpdateChannel
{
    private static readonly string[] Fields = ["name", "url", "secret", "bot_token", "chat_id", "to", "fallback_channel_id", "machines", "events", "renotify_every", "renotify_max"];

    /// <summary>The draft with the changes applied, or the errors of fields that cannot be read.</summary>
    public static (ChannelDraft Draft, Dictionary<string, string[]> Errors) Apply(ChannelDraft draft, JsonElement changes)
    {
        var errors = new Dictionary<string, string[]>();
        if (changes.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["the body must be a JSON object of the fields to change."];
            return (draft, errors);
        }
        foreach (var field in changes.EnumerateObject())
        {
            var value = field.Value;
            try
            {
                draft = field.Name switch
                {
                    "name" => draft with { Name = value.GetString()?.Trim() ?? "" },
                    "url" => draft with { Url = value.GetString()?.Trim() },
                    "secret" => draft with { Secret = value.GetString() },
                    "bot_token" => draft with { BotToken = value.GetString()?.Trim() },
                    "chat_id" => draft with { ChatId = value.GetString()?.Trim() },
                    "to" => draft with { To = value.ValueKind == JsonValueKind.Null ? null : value.EnumerateArray().Select(a => a.GetString()?.Trim() ?? "").ToList() },
                    "fallback_channel_id" => draft with { FallbackChannelId = value.ValueKind == JsonValueKind.Null ? null : value.GetGuid() },
                    "machines" => draft with { Machines = value.ValueKind == JsonValueKind.Null ? null : ChannelRouting.ReadMachines(value) },
                    "events" => draft with { Events = value.ValueKind == JsonValueKind.Null ? null : value.EnumerateArray().Select(e => e.GetString()?.Trim() ?? "").ToList() },
                    "renotify_every" => value.ValueKind == JsonValueKind.Null ? draft with { RenotifyEvery = null, RenotifyMax = null } : draft with { RenotifyEvery = value.GetString()?.Trim() },
                    "renotify_max" => draft with { RenotifyMax = value.ValueKind == JsonValueKind.Null ? null : value.GetInt32() },
                    "type" => throw new FormatException("the type of a channel cannot change; create another channel."),
                    _ => throw new FormatException($"unknown field; the fields that can change are {string.Join(", ", Fields)}."),
                };
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                errors[field.Name] = [e is FormatException ? $"{field.Name}: {e.Message}" : $"{field.Name} has the wrong JSON type."];
            }
        }
        return (draft, errors);
    }

    public static async Task<Results<Ok<ChannelView>, ValidationProblem, ProblemHttpResult>> Handle(
        Guid id, HttpRequest http, IDocumentSession session, ChannelSecrets secrets, IOptions<NotifierOptions> options, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<JsonElement>(http);
        if (body.Problem is not null) return body.Problem;
        if (await session.LoadAsync<Channel>(id, ct) is not { } channel) return ChannelsApi.NotFound(id);

        var (draft, errors) = Apply(secrets.Draft(channel), body.Value);
        if (errors.Count == 0) errors = CreateChannel.Validate(draft, options.Value.Smtp.IsConfigured);
        if (errors.Count == 0) errors = await CreateChannel.CheckTargetsAsync(draft, id, session, options.Value.AllowPrivateTargets, ct);
        if (errors.Count > 0) return CreateChannel.Invalid(errors);

        var updated = secrets.Seal(channel.Id, channel.CreatedAt, draft);
        session.Store(updated);
        await session.SaveChangesAsync(ct);
        return TypedResults.Ok(updated.ToView(admin: true));
    }
}
