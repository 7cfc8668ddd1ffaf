using System.Diagnostics;
using Heartbeat.Contracts.Events;
using Heartbeat.Ingest.Heartbeats;

namespace Heartbeat.Ingest.Pings;

/// <summary>
/// Opsgenie's heartbeat ping: <c>GET|POST /v2/heartbeats/{name}/ping</c> with <c>Authorization: GenieKey &lt;key&gt;</c>,
/// where the key is one of the fleet-wide ping API keys and the name a machine's. Answers with Opsgenie's
/// shapes: 202 <c>{"result":"PONG - Heartbeat received","took":...,"requestId":...}</c>; 401 for a missing or
/// unknown key (all alike); 404 when the key is good but no machine has that name.
/// </summary>
public static class OpsgeniePings
{
    public const string Scheme = "GenieKey ";

    /// <summary>Opsgenie's field names as they are (camelCase requestId), not this API's snake_case.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions Json = new();

    public static IEndpointRouteBuilder MapOpsgeniePings(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/v2/heartbeats/{name}/ping", [HttpMethods.Get, HttpMethods.Post], HandleAsync);
        return app;
    }

    public static string? KeyOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? header[Scheme.Length..].Trim() : null;
    }

    private static async Task<IResult> HandleAsync(
        string name, HttpRequest request, PingDirectory directory, PingIntake intake, HeartbeatRateLimits limits, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var client = PingIntake.ClientOf(request);
        if (limits.AuthenticationBlocked(client)) return TooMany(request, TimeSpan.FromSeconds(1), started);

        var key = KeyOf(request);
        if (!directory.IsPingApiKey(key))
        {
            if (!limits.TryCountFailedAuthentication(client, out var blockedFor)) return TooMany(request, blockedFor, started);
            return Answer(new { message = "Could not authenticate" }, StatusCodes.Status401Unauthorized, started);
        }
        var machine = await directory.FindByNameAsync(key, name, ct);
        if (machine is null)
            return Answer(new { message = $"Heartbeat with name [{name}] does not exist." }, StatusCodes.Status404NotFound, started);

        var outcome = await intake.AcceptAsync(machine, new PingSignal(HeartbeatSource.Opsgenie), ct);
        return outcome.Result switch
        {
            PingResult.Accepted => Answer(new { result = "PONG - Heartbeat received" }, StatusCodes.Status202Accepted, started),
            PingResult.RateLimited => TooMany(request, outcome.RetryAfter, started),
            _ => Answer(new { message = "Not stored; ping again." }, StatusCodes.Status503ServiceUnavailable, started),
        };
    }

    private static IResult TooMany(HttpRequest request, TimeSpan wait, long started)
    {
        PingIntake.SetRetryAfter(request.HttpContext.Response, wait);
        return Answer(new { message = "Too many requests" }, StatusCodes.Status429TooManyRequests, started);
    }

    /// <summary>Opsgenie adds to every answer how long it took (seconds) and a request id.</summary>
    private static IResult Answer(object body, int status, long started)
    {
        var fields = body.GetType().GetProperties().ToDictionary(p => p.Name, p => p.GetValue(body));
        fields["took"] = Math.Round(Stopwatch.GetElapsedTime(started).TotalSeconds, 3);
        fields["requestId"] = Guid.NewGuid().ToString();
        return Results.Json(fields, Json, statusCode: status);
    }
}
