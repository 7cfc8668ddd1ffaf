using System.Text.Json;
using Heartbeat.Contracts.Events;
using Heartbeat.Ingest.Heartbeats;

namespace Heartbeat.Ingest.Pings;

/// <summary>
/// Alertmanager's webhook (payload version 4) as a dead man's switch: <c>POST /api/alertmanager/{key}</c>. A
/// notification whose alerts hold a firing alert named by <c>alertname</c> (default <c>Watchdog</c>; another
/// with <c>?alertname=</c>) is a heartbeat of the key's machine; the same alert resolved makes it offline at
/// once. So a Prometheus that dies, or an Alertmanager that stops sending, is told like any silent machine.
/// Notifications about other alerts are acknowledged and ignored (a non-2xx would make Alertmanager retry).
/// </summary>
public static class AlertmanagerWebhook
{
    public const string DefaultAlertName = "Watchdog";

    public static IEndpointRouteBuilder MapAlertmanagerWebhook(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/alertmanager/{key}", HandleAsync);
        return app;
    }

    /// <summary>The heartbeat a notification amounts to; null when it does not concern the alert.</summary>
    public static PingSignal? Decide(JsonElement payload, string alertName)
    {
        if (payload.ValueKind != JsonValueKind.Object || !payload.TryGetProperty("alerts", out var alerts) || alerts.ValueKind != JsonValueKind.Array)
            return null;
        var matching = alerts.EnumerateArray()
            .Where(a => a.ValueKind == JsonValueKind.Object
                        && a.TryGetProperty("labels", out var labels) && labels.ValueKind == JsonValueKind.Object
                        && labels.TryGetProperty("alertname", out var name) && name.ValueKind == JsonValueKind.String
                        && name.GetString() == alertName)
            .Select(a => a.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null)
            .ToList();
        if (matching.Contains("firing")) return new PingSignal(HeartbeatSource.Alertmanager, Message: $"{alertName} firing");
        if (matching.Contains("resolved"))
            return new PingSignal(HeartbeatSource.Alertmanager, new HeartbeatRun(RunSignal.Failed),
                $"{alertName} resolved: the alert that should always fire stopped");
        return null;
    }

    private static async Task<IResult> HandleAsync(
        string key, HttpRequest request, PingDirectory directory, PingIntake intake, HeartbeatRateLimits limits, CancellationToken ct)
    {
        var client = PingIntake.ClientOf(request);
        if (limits.AuthenticationBlocked(client)) return TooMany(request, TimeSpan.FromSeconds(1));
        var machine = await directory.FindByKeyAsync(key, ct);
        if (machine is null)
        {
            if (!limits.TryCountFailedAuthentication(client, out var blockedFor)) return TooMany(request, blockedFor);
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "This URL's key does not address a machine: create one with POST /api/machines/{id}/ping-key.");
        }

        JsonElement payload;
        try
        {
            payload = await JsonSerializer.DeserializeAsync<JsonElement>(request.Body, cancellationToken: ct);
        }
        catch (JsonException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request",
                detail: "The body is not JSON: expected Alertmanager's webhook payload (version 4).");
        }

        var alertName = request.Query["alertname"].ToString() is { Length: > 0 } named ? named : DefaultAlertName;
        if (Decide(payload, alertName) is not { } signal) return Results.Ok(new { status = "ignored", reason = $"no {alertName} alert in this notification" });

        var outcome = await intake.AcceptAsync(machine, signal, ct);
        return outcome.Result switch
        {
            PingResult.Accepted => Results.Ok(new { status = "ok" }),
            PingResult.RateLimited => TooMany(request, outcome.RetryAfter),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not stored", detail: "The heartbeat could not be stored; Alertmanager will send again."),
        };
    }

    private static IResult TooMany(HttpRequest request, TimeSpan wait)
    {
        PingIntake.SetRetryAfter(request.HttpContext.Response, wait);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", detail: "Slow down.");
    }
}
