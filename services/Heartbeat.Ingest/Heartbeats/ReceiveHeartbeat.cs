using System.Globalization;
using System.Net;
using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.Ingest.Machines;
using Heartbeat.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartbeat.Ingest.Heartbeats;

public static class ReceiveHeartbeat
{
    public const int MaxMetrics = 32;

    /// <summary>Field errors keyed by wire name; the reported status is returned when valid.</summary>
    public static Dictionary<string, string[]> Validate(HeartbeatRequest r, out ReportedStatus status)
    {
        var errors = new Dictionary<string, string[]>();
        status = ReportedStatus.Ok;
        switch (r.Status?.ToLowerInvariant())
        {
            case null or "ok": break;
            case "warning": status = ReportedStatus.Warning; break;
            default: errors["status"] = ["The status must be \"ok\" or \"warning\"."]; break;
        }
        if (r.AgentVersion is { Length: > 64 }) errors["agent_version"] = ["The agent version may be at most 64 characters."];
        else if (!StorableText.IsStorable(r.AgentVersion)) errors["agent_version"] = [StorableText.Refusal("agent version")];
        if (r.Message is { Length: > 1024 }) errors["message"] = ["The message may be at most 1024 characters."];
        else if (!StorableText.IsStorable(r.Message)) errors["message"] = [StorableText.Refusal("message")];
        if (r.Metrics is { } metrics && (metrics.Count > MaxMetrics || metrics.Any(m => m.Key.Length is 0 or > 64 || !double.IsFinite(m.Value))))
            errors["metrics"] = [$"At most {MaxMetrics} metrics, names 1 to 64 characters, finite numbers."];
        else if (r.Metrics is { } named && named.Keys.Any(name => !StorableText.IsStorable(name)))
            errors["metrics"] = [StorableText.Refusal("metric names")];
        return errors;
    }

    /// <summary>
    /// Answers only after the heartbeat is committed. A missing, wrong or unknown machine all get the
    /// same 401, so an unauthenticated caller learns nothing about which machine ids exist; an address that
    /// keeps failing gets 429 before any lookup, and a machine sending faster than its limit gets 429 too.
    /// </summary>
    public static Task<Results<Ok<HeartbeatAccepted>, ValidationProblem, ProblemHttpResult>> Handle(
        string machineId, HttpRequest request, MachineDirectory directory, HeartbeatWriter writer, HeartbeatRateLimits limits,
        TimeProvider clock, CancellationToken ct) =>
        HandleAsync(machineId, request, directory, writer, limits, clock, run: null, ct);

    /// <param name="run">A job's run signal the heartbeat carries (<see cref="ReceiveRunSignal"/>), or null for a plain heartbeat.</param>
    public static async Task<Results<Ok<HeartbeatAccepted>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        string machineId, HttpRequest request, MachineDirectory directory, HeartbeatWriter writer, HeartbeatRateLimits limits,
        TimeProvider clock, HeartbeatRun? run, CancellationToken ct)
    {
        var result = await ReceiveAsync(machineId, request, directory, writer, limits, clock, run, ct);
        var status = result.Result switch
        {
            Ok<HeartbeatAccepted> => 200,
            ValidationProblem => 400,
            ProblemHttpResult p => p.StatusCode,
            _ => 500,
        };
        HeartbeatTelemetry.HeartbeatsReceived.Add(1, status == 200
            ? [new("outcome", "accepted")]
            : [new("outcome", "rejected"), new("reason", status switch { 400 => "invalid", 401 => "unauthorized", 429 => "rate_limited", 503 => "not_stored", _ => "other" })]);
        return result;
    }

    private static async Task<Results<Ok<HeartbeatAccepted>, ValidationProblem, ProblemHttpResult>> ReceiveAsync(
        string machineId, HttpRequest request, MachineDirectory directory, HeartbeatWriter writer, HeartbeatRateLimits limits,
        TimeProvider clock, HeartbeatRun? run, CancellationToken ct)
    {
        var client = request.HttpContext.Connection.RemoteIpAddress ?? IPAddress.None;
        if (limits.AuthenticationBlocked(client))
            return TooMany(request, TimeSpan.FromSeconds(1), "Too many failed authentications from this address; wait before sending again.");

        if (!Guid.TryParse(machineId, out var id))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["machine_id"] = ["The machine id must be a UUID."] },
                detail: "The heartbeat was not recorded: the machine id in the URL is not a UUID.");

        var machine = await directory.FindAsync(id, ct);
        if (machine is null || machine.Retired || !MachineTokens.Matches(ApiKeys.BearerOf(request), machine.TokenHash))
        {
            if (!limits.TryCountFailedAuthentication(client, out var blockedFor))
                return TooMany(request, blockedFor, "Too many failed authentications from this address; wait before sending again.");
            request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "Missing or invalid machine token for this machine id: send Authorization: Bearer <machine token>.");
        }

        if (!limits.TryAcceptHeartbeat(id, out var retryAfter))
            return TooMany(request, retryAfter, "This machine sends heartbeats faster than its limit; the heartbeat was not recorded.");

        var body = await JsonBody.ReadAsync<HeartbeatRequest>(request, optional: true);
        if (body.Problem is not null) return body.Problem;
        var heartbeat = body.Value ?? new HeartbeatRequest();
        var errors = Validate(heartbeat, out var status);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, detail: "The heartbeat was not recorded: see errors.");

        var received = new HeartbeatEntry(id, HeartbeatWriter.ReceivedAt(clock), HeartbeatSource.Agent, status, heartbeat.AgentVersion, heartbeat.Message, heartbeat.Metrics, run);
        try
        {
            await writer.AppendAsync(received, ct);
        }
        catch (HeartbeatNotStoredException e) when (e.RefusedContent)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not stored", detail: e.Message);
        }
        catch (HeartbeatNotStoredException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not stored", detail: e.Message);
        }
        return TypedResults.Ok(new HeartbeatAccepted("ok", id, machine.Name, true, received.ReceivedAt));
    }

    private static ProblemHttpResult TooMany(HttpRequest request, TimeSpan retryAfter, string detail)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        request.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests", detail: $"{detail} Retry after {seconds} s.");
    }
}
