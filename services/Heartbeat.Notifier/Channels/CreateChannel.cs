using Heartbeat.Contracts.Http;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartbeat.Notifier.Channels;

/// <summary>POST /api/channels: validate, store, answer with the channel (never its secret).</summary>
public static class CreateChannel
{
    public const int MaxNameLength = 200;
    public const int MinSecretLength = 16;

    /// <summary>Errors keyed by the field's wire name; empty when the request is valid.</summary>
    public static Dictionary<string, string[]> Validate(CreateChannelRequest request)
    {
        var errors = new Dictionary<string, string[]>();

        if (string.IsNullOrWhiteSpace(request.Name))
            errors["name"] = ["name is required."];
        else if (request.Name.Trim().Length > MaxNameLength)
            errors["name"] = [$"name must be at most {MaxNameLength} characters."];

        if (string.IsNullOrWhiteSpace(request.Type))
            errors["type"] = [$"type is required; the only channel type so far is \"{ChannelTypes.Webhook}\"."];
        else if (!string.Equals(request.Type.Trim(), ChannelTypes.Webhook, StringComparison.OrdinalIgnoreCase))
            errors["type"] = [$"type \"{request.Type}\" is not supported; the only channel type so far is \"{ChannelTypes.Webhook}\"."];

        if (string.IsNullOrWhiteSpace(request.Url))
            errors["url"] = ["url is required: an absolute http or https URL."];
        else if (!Uri.TryCreate(request.Url.Trim(), UriKind.Absolute, out var url)
                 || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
                 || string.IsNullOrEmpty(url.Host))
            errors["url"] = ["url must be an absolute http or https URL."];

        if (string.IsNullOrEmpty(request.Secret))
            errors["secret"] = [$"secret is required (at least {MinSecretLength} characters); it signs every webhook body."];
        else if (request.Secret.Length < MinSecretLength)
            errors["secret"] = [$"secret must be at least {MinSecretLength} characters."];

        return errors;
    }

    public static Channel ToChannel(CreateChannelRequest request, Guid id, DateTimeOffset now) => new()
    {
        Id = id,
        Name = request.Name!.Trim(),
        Type = ChannelTypes.Webhook,
        Url = request.Url!.Trim(),
        Secret = request.Secret!,
        CreatedAt = now,
    };

    public static async Task<Results<Created<ChannelView>, ValidationProblem, ProblemHttpResult>> Handle(
        HttpRequest http, IDocumentSession session, TimeProvider time, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<CreateChannelRequest>(http);
        if (body.Problem is not null) return body.Problem;
        var request = body.Value!;

        var errors = Validate(request);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors, detail: "The channel is not valid: " + string.Join(" ", errors.Values.SelectMany(v => v)));

        var channel = ToChannel(request, Guid.CreateVersion7(), time.GetUtcNow());
        session.Store(channel);
        await session.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/channels/{channel.Id}", channel.ToView());
    }
}
