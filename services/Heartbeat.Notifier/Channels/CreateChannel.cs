using System.Net.Mail;
using System.Text.RegularExpressions;
using Heartbeat.Contracts.Http;
using Heartbeat.Notifier.Targets;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Heartbeat.Notifier.Channels;

/// <summary>POST /api/channels: validate, check the target and the fallback, encrypt, store, answer with the masked channel.</summary>
public static partial class CreateChannel
{
    public const int MaxNameLength = 200;
    public const int MinSecretLength = 16;
    public const int MaxRecipients = 20;

    /// <summary>Errors keyed by the field's wire name; empty when the draft is valid for its type.</summary>
    public static Dictionary<string, string[]> Validate(ChannelDraft draft, bool smtpConfigured)
    {
        var errors = new Dictionary<string, string[]>();

        if (string.IsNullOrWhiteSpace(draft.Name))
            errors["name"] = ["name is required."];
        else if (draft.Name.Length > MaxNameLength)
            errors["name"] = [$"name must be at most {MaxNameLength} characters."];

        var types = string.Join(", ", ChannelTypes.All);
        if (string.IsNullOrWhiteSpace(draft.Type))
        {
            errors["type"] = [$"type is required: one of {types}."];
            return errors;
        }
        if (!ChannelTypes.All.Contains(draft.Type))
        {
            errors["type"] = [$"type \"{draft.Type}\" is not supported: one of {types}."];
            return errors;
        }

        var usesUrl = draft.Type is ChannelTypes.Webhook or ChannelTypes.Slack;
        if (usesUrl)
        {
            if (string.IsNullOrWhiteSpace(draft.Url))
                errors["url"] = [draft.Type == ChannelTypes.Slack ? "url is required: the Slack incoming-webhook URL." : "url is required: an absolute http or https URL."];
            else if (!IsHttpUrl(draft.Url))
                errors["url"] = ["url must be an absolute http or https URL without user name or password."];
        }
        else if (draft.Url is not null) errors["url"] = [$"url does not apply to {draft.Type} channels."];

        if (draft.Type == ChannelTypes.Webhook)
        {
            if (string.IsNullOrEmpty(draft.Secret))
                errors["secret"] = [$"secret is required (at least {MinSecretLength} characters); it signs every webhook body."];
            else if (draft.Secret.Length < MinSecretLength)
                errors["secret"] = [$"secret must be at least {MinSecretLength} characters."];
            else if (draft.Secret.StartsWith("whsec_", StringComparison.Ordinal) && !IsBase64Key(draft.Secret["whsec_".Length..]))
                errors["secret"] = ["a secret starting with whsec_ must continue with base64 (a Standard Webhooks secret)."];
        }
        else if (draft.Secret is not null) errors["secret"] = [$"secret does not apply to {draft.Type} channels."];

        if (draft.Type == ChannelTypes.Telegram)
        {
            if (string.IsNullOrWhiteSpace(draft.BotToken) || !BotTokenPattern().IsMatch(draft.BotToken))
                errors["bot_token"] = ["bot_token is required: the token BotFather gave, like 123456789:AAE…."];
            if (string.IsNullOrWhiteSpace(draft.ChatId) || !ChatIdPattern().IsMatch(draft.ChatId))
                errors["chat_id"] = ["chat_id is required: a numeric chat id (e.g. -1001234567890) or @channelusername."];
        }
        else
        {
            if (draft.BotToken is not null) errors["bot_token"] = [$"bot_token does not apply to {draft.Type} channels."];
            if (draft.ChatId is not null) errors["chat_id"] = [$"chat_id does not apply to {draft.Type} channels."];
        }

        if (draft.Type == ChannelTypes.Email)
        {
            if (draft.To is not { Count: > 0 })
                errors["to"] = ["to is required: one or more e-mail addresses."];
            else if (draft.To.Count > MaxRecipients)
                errors["to"] = [$"to may name at most {MaxRecipients} addresses."];
            else if (draft.To.FirstOrDefault(a => !IsEmailAddress(a)) is { } bad)
                errors["to"] = [$"\"{bad}\" is not an e-mail address."];
            else if (!smtpConfigured)
                errors["type"] = ["e-mail channels need SMTP: set Notifier__Smtp__Host and Notifier__Smtp__From."];
        }
        else if (draft.To is not null) errors["to"] = [$"to does not apply to {draft.Type} channels."];

        ChannelRouting.Validate(draft, errors);
        return errors;
    }

    public static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url)
        && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
        && !string.IsNullOrEmpty(url.Host)
        && string.IsNullOrEmpty(url.UserInfo);

    private static bool IsEmailAddress(string value) =>
        MailAddress.TryCreate(value, out var address) && address.Address == value && value.Contains('.', StringComparison.Ordinal);

    private static bool IsBase64Key(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) && written >= 16;
    }

    [GeneratedRegex(@"^\d{3,}:[A-Za-z0-9_-]{20,}$")]
    private static partial Regex BotTokenPattern();

    [GeneratedRegex(@"^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,})$")]
    private static partial Regex ChatIdPattern();

    /// <summary>
    /// The checks that need I/O: the URL's host must not lead inside (resolved now, and again at every delivery), and
    /// the fallback must be another existing channel.
    /// </summary>
    public static async Task<Dictionary<string, string[]>> CheckTargetsAsync(ChannelDraft draft, Guid? self, IQuerySession session, bool allowPrivate, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (draft.Url is not null && await TargetGuard.CheckHostAsync(new Uri(draft.Url).Host, allowPrivate, ct) is { } refusal)
            errors["url"] = [$"url is refused: {refusal}."];
        if (draft.FallbackChannelId is { } fallback)
        {
            if (fallback == self)
                errors["fallback_channel_id"] = ["a channel cannot be its own fallback."];
            else if (await session.LoadAsync<Channel>(fallback, ct) is null)
                errors["fallback_channel_id"] = [$"there is no channel {fallback}."];
        }
        return errors;
    }

    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: "The channel is not valid: " + string.Join(" ", errors.Values.SelectMany(v => v)));

    public static async Task<Results<Created<ChannelView>, ValidationProblem, ProblemHttpResult>> Handle(
        HttpRequest http, IDocumentSession session, ChannelSecrets secrets, IOptions<NotifierOptions> options, TimeProvider time, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<CreateChannelRequest>(http);
        if (body.Problem is not null) return body.Problem;
        var draft = ChannelDraft.From(body.Value!);

        var errors = Validate(draft, options.Value.Smtp.IsConfigured);
        if (errors.Count == 0) errors = await CheckTargetsAsync(draft, null, session, options.Value.AllowPrivateTargets, ct);
        if (errors.Count > 0) return Invalid(errors);

        var channel = secrets.Seal(Guid.CreateVersion7(), time.GetUtcNow(), draft);
        session.Store(channel);
        await session.SaveChangesAsync(ct);
        return TypedResults.Created($"/api/channels/{channel.Id}", channel.ToView(admin: true));
    }
}
