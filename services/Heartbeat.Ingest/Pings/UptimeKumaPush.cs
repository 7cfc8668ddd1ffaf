using System.Globalization;
using Heartbeat.Contracts.Events;
using Heartbeat.Ingest.Heartbeats;

namespace Heartbeat.Ingest.Pings;

/// <summary>
/// Uptime Kuma's push URL: <c>GET /api/push/{key}?status=up|down&amp;msg=...&amp;ping=...</c>. <c>status=down</c>
/// makes the machine offline at once, like a failed run; <c>ping</c> (ms) is kept as the metric <c>ping_ms</c>.
/// Answers as Uptime Kuma does: <c>{"ok":true}</c>, or 404 <c>{"ok":false,"msg":...}</c> for any key that
/// does not address a machine.
/// </summary>
public static class UptimeKumaPush
{
    public static IEndpointRouteBuilder MapUptimeKumaPush(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/api/push/{key}", [HttpMethods.Get, HttpMethods.Post, HttpMethods.Head], HandleAsync);
        return app;
    }

    public static PingSignal Signal(string? status, string? msg, string? ping)
    {
        var down = string.Equals(status, "down", StringComparison.OrdinalIgnoreCase);
        var metrics = double.TryParse(ping, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && double.IsFinite(ms)
            ? new Dictionary<string, double> { ["ping_ms"] = ms }
            : null;
        return new PingSignal(HeartbeatSource.UptimeKuma, down ? new HeartbeatRun(RunSignal.Failed) : null, string.IsNullOrEmpty(msg) ? null : msg, metrics);
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
            return Results.Json(new { ok = false, msg = "Monitor not found or not active." }, statusCode: StatusCodes.Status404NotFound);
        }

        var q = request.Query;
        var outcome = await intake.AcceptAsync(machine, Signal(q["status"], q["msg"], q["ping"]), ct);
        return outcome.Result switch
        {
            PingResult.Accepted => Results.Json(new { ok = true }),
            PingResult.RateLimited => TooMany(request, outcome.RetryAfter),
            _ => Results.Json(new { ok = false, msg = "Not stored; push again." }, statusCode: StatusCodes.Status503ServiceUnavailable),
        };
    }

    private static IResult TooMany(HttpRequest request, TimeSpan wait)
    {
        PingIntake.SetRetryAfter(request.HttpContext.Response, wait);
        return Results.Json(new { ok = false, msg = "Too frequent; slow down." }, statusCode: StatusCodes.Status429TooManyRequests);
    }
}
