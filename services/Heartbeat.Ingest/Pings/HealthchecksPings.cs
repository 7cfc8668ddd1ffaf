using Heartbeat.ServiceDefaults.Machines;
using Heartbeat.Contracts.Events;
using Heartbeat.Ingest.Heartbeats;
using Heartbeat.Ingest.Machines;

namespace Heartbeat.Ingest.Pings;

/// <summary>
/// Healthchecks.io's ping URLs, so a cron line written for it works after changing only the host:
/// <c>/ping/{key}</c> and <c>/ping/{ping_api_key}/{machine-name}</c>, each optionally followed by <c>/start</c>,
/// <c>/fail</c>, <c>/log</c> or <c>/{exit status}</c>, with an optional <c>?rid=</c> run id; GET, POST or HEAD; the
/// body becomes the message. Answers as Healthchecks.io does: 200 <c>OK</c>; 404 <c>not found</c> for any key
/// that does not address a machine (unknown, revoked, retired: all alike).
/// </summary>
public static class HealthchecksPings
{
    private static readonly string[] Methods = [HttpMethods.Get, HttpMethods.Post, HttpMethods.Head];

    public static IEndpointRouteBuilder MapHealthchecksPings(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/ping/{key}", Methods, (string key, HttpRequest request, PingDirectory directory, PingIntake intake, HeartbeatRateLimits limits, CancellationToken ct) =>
            HandleAsync(request, () => directory.FindByKeyAsync(key, ct), action: null, intake, limits, ct));

        // Either a machine's key and an action, or a ping API key and a machine name.
        app.MapMethods("/ping/{first}/{second}", Methods, async (string first, string second, HttpRequest request, PingDirectory directory, PingIntake intake, HeartbeatRateLimits limits, CancellationToken ct) =>
            IsAction(second) && !directory.IsPingApiKey(first)
                ? await HandleAsync(request, () => directory.FindByKeyAsync(first, ct), second, intake, limits, ct)
                : await HandleAsync(request, () => directory.FindByNameAsync(first, second, ct), action: null, intake, limits, ct));

        app.MapMethods("/ping/{apiKey}/{name}/{action}", Methods, (string apiKey, string name, string action, HttpRequest request, PingDirectory directory, PingIntake intake, HeartbeatRateLimits limits, CancellationToken ct) =>
            HandleAsync(request, () => directory.FindByNameAsync(apiKey, name, ct), action, intake, limits, ct));
        return app;
    }

    public static bool IsAction(string segment) => segment is "start" or "fail" or "log" || int.TryParse(segment, out _);

    /// <summary>The run signal an action names; null for a plain success ping; false when the action is not one.</summary>
    public static bool TryParseAction(string? action, string? runId, out HeartbeatRun? run)
    {
        run = null;
        switch (action)
        {
            case null: run = runId is null ? null : new HeartbeatRun(RunSignal.Exited, 0, runId); return true;
            case "start": run = new HeartbeatRun(RunSignal.Started, RunId: runId); return true;
            case "fail": run = new HeartbeatRun(RunSignal.Failed, RunId: runId); return true;
            case "log": run = new HeartbeatRun(RunSignal.Logged, RunId: runId); return true;
            default:
                // Exit statuses as a shell reports them: 0 is success, 1-255 failure.
                if (!int.TryParse(action, out var code) || code is < 0 or > 255) return false;
                run = new HeartbeatRun(RunSignal.Exited, code, runId);
                return true;
        }
    }

    private static async Task<IResult> HandleAsync(
        HttpRequest request, Func<ValueTask<MachineState?>> find, string? action, PingIntake intake, HeartbeatRateLimits limits, CancellationToken ct)
    {
        var client = PingIntake.ClientOf(request);
        if (limits.AuthenticationBlocked(client)) return TooMany(request, TimeSpan.FromSeconds(1));

        var runId = request.Query["rid"].ToString() is { Length: > 0 } rid ? rid : null;
        if (runId is not null && !Guid.TryParse(runId, out _))
            return Results.Text("invalid rid: a run id must be a UUID\n", statusCode: StatusCodes.Status400BadRequest);
        if (!TryParseAction(action, runId, out var run))
            return Results.Text("invalid url format\n", statusCode: StatusCodes.Status400BadRequest);

        var machine = await find();
        if (machine is null)
        {
            if (!limits.TryCountFailedAuthentication(client, out var blockedFor)) return TooMany(request, blockedFor);
            return Results.Text("not found\n", statusCode: StatusCodes.Status404NotFound);
        }

        var message = await PingIntake.ReadBodyAsync(request, ct);
        var outcome = await intake.AcceptAsync(machine, new PingSignal(HeartbeatSource.Healthchecks, run, message), ct);
        return outcome.Result switch
        {
            PingResult.Accepted => Results.Text("OK"),
            PingResult.RateLimited => TooMany(request, outcome.RetryAfter),
            _ => Results.Text("not stored, send again\n", statusCode: StatusCodes.Status503ServiceUnavailable),
        };
    }

    private static IResult TooMany(HttpRequest request, TimeSpan wait)
    {
        PingIntake.SetRetryAfter(request.HttpContext.Response, wait);
        return Results.Text("rate limited\n", statusCode: StatusCodes.Status429TooManyRequests);
    }
}
