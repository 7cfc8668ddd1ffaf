using Heartbeat.Detector.Canary;
using Heartbeat.ServiceDefaults.Machines;
using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.Detector.Tracking;
using Heartbeat.ServiceDefaults;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Heartbeat.Detector.Status;

public static class MachinesApi
{
    /// <summary>Uptime windows the dashboard offers; any other duration up to <see cref="MaxWindow"/> is accepted too.</summary>
    public static readonly TimeSpan MaxWindow = TimeSpan.FromDays(400);
    private const int RecentHeartbeatCount = 50;

    public static IEndpointRouteBuilder MapMachinesApi(this IEndpointRouteBuilder app)
    {
        var machines = app.MapGroup("/api/machines").RequireKey(KeyRole.Read);
        machines.MapGet("/", List);
        machines.MapGet("/stream", MachineStream.Stream);
        machines.MapGet("/{id:guid}", Get);
        machines.MapGet("/{id:guid}/history", History);
        machines.MapGet("/{id:guid}/uptime", GetUptime);
        machines.MapGet("/{id:guid}/state-at", GetStateAt);
        return app;
    }

    /// <summary>A page of machines from the board in memory: filtered, problems first unless sorted otherwise.</summary>
    public static Results<Ok<MachinePage>, ValidationProblem> List(
        MachineBoard board, string? status = null, string? tag = null, string? q = null, string? sort = null, string? cursor = null, int? limit = null)
    {
        var (filter, errors) = MachineQuery.Parse(status, tag, q, sort, cursor, limit);
        if (filter is null) return TypedResults.ValidationProblem(errors, detail: "The query is not valid: see errors.");
        return TypedResults.Ok(MachineQuery.Page(board.Current.Machines, filter));
    }

    public static async Task<Results<Ok<MachineView>, ProblemHttpResult>> Get(Guid id, IDocumentSession session, Fleet fleet, MachineBoard board, TimeProvider clock, IOptions<DetectorOptions> options, FlappingOptions flapping, CancellationToken ct)
    {
        // FetchLatest adds events the async projection has not applied yet, so a machine is visible
        // (and paused, or resumed) the moment the call that changed it has answered.
        var status = await session.Events.FetchLatest<MachineState>(id, ct);
        // A platform canary is no user's machine (see CanaryMachine.Tag).
        if (status is null || status.Retired || status.Tags.Contains(CanaryMachine.Tag)) return NotFound(id);
        var now = clock.GetUtcNow();
        var tracked = fleet.Find(id);
        var view = MachineStatusRules.View(status, tracked, now, options.Value);
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        // The notifier's rule, from the machine's own transitions (a past outage found after the fact is history, not flapping).
        var transitions = events.Select(e => e.Data switch
        {
            MachineWentOffline { DetectedLate: false } off => off.DetectedAt,
            MachineWentOnline { DetectedLate: false } on => on.CameBackAt,
            _ => (DateTimeOffset?)null,
        }).OfType<DateTimeOffset>();
        return TypedResults.Ok(view with
        {
            // A scheduled job is next expected at its next run; any other machine an expected interval after last seen.
            NextExpectedAt = view.Schedule is not null ? view.NextExpectedRun : view.LastSeen + TimeSpan.FromSeconds(view.ExpectedIntervalSeconds),
            Flapping = Flapping.InEpisode(transitions, now, flapping),
            // Maintenance windows are read by the board at every refresh (MachineBoardRefresher).
            MaintenanceUntil = board.Current.ById.GetValueOrDefault(id)?.MaintenanceUntil,
        });
    }

    /// <summary>The machine's life events between from and to (default: all of it), newest first; recent heartbeats on request.</summary>
    public static async Task<Results<Ok<MachineHistory>, ProblemHttpResult>> History(
        Guid id, IQuerySession session, NpgsqlDataSource dataSource, TimeProvider clock, CancellationToken ct,
        DateTimeOffset? from = null, DateTimeOffset? to = null, string? include = null)
    {
        if (include is not (null or "" or "heartbeats")) return BadRequest("include may only be heartbeats.");
        if (from > to) return BadRequest("from must not be after to.");
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        if (events.FirstOrDefault()?.Data is not MachineRegistered) return NotFound(id);
        var start = from ?? DateTimeOffset.MinValue;
        var end = to ?? clock.GetUtcNow();
        var transitions = events.Select(ToView).OfType<TransitionView>().Where(t => t.At >= start && t.At <= end).Reverse().ToList();
        var heartbeats = include == "heartbeats"
            ? (await Tracking.RecentHeartbeats.ReadAsync(dataSource, session.DocumentStore.Options.DatabaseSchemaName, id, RecentHeartbeatCount, ct))
                .Where(h => h.ReceivedAt >= start && h.ReceivedAt <= end)
                .Select(h => new HeartbeatView(h.ReceivedAt, h.Source.ToString().ToLowerInvariant(), h.Status.ToString().ToLowerInvariant(), h.AgentVersion, h.Message))
                .ToList()
            : null;
        return TypedResults.Ok(new MachineHistory(id, from ?? events[0].Timestamp, end, transitions, heartbeats));
    }

    private static TransitionView? ToView(IEvent e) => e.Data switch
    {
        MachineRegistered r => new TransitionView("registered", r.RegisteredAt, null, null, null, null),
        MachineWentOffline off => new TransitionView("offline", off.DetectedAt, off.EpisodeId, off.LastSeenAt, null, null),
        MachineWentOnline on => new TransitionView("online", on.CameBackAt, on.EpisodeId, null, on.OfflineSince, on.Downtime.TotalSeconds),
        MonitoringPaused p => new TransitionView("paused", p.PausedAt, null, null, null, null),
        MonitoringResumed r => new TransitionView("resumed", r.ResumedAt, null, null, null, null),
        MachineSettingsChanged s => new TransitionView("settings_changed", s.ChangedAt, null, null, null, null),
        MachineRetired r => new TransitionView("retired", r.RetiredAt, null, null, null, null),
        RunFinished run => new TransitionView("run", run.FinishedAt, null, null, null, null, MachineStatusRules.RunView(run)),
        _ => null,
    };

    /// <summary>Uptime over the last window (24h, 7d, 30d — the default —, 90d, or any duration up to 400 days), paused time left out.</summary>
    public static async Task<Results<Ok<UptimeView>, ProblemHttpResult>> GetUptime(
        Guid id, IQuerySession session, TimeProvider clock, CancellationToken ct, string? window = null)
    {
        var length = TimeSpan.FromDays(30);
        if (window is not null && (!Durations.TryParse(window, out length) || length > MaxWindow))
            return BadRequest("window must be a duration such as 24h, 7d, 30d or 90d, at most 400d.");
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        if (events.FirstOrDefault()?.Data is not MachineRegistered) return NotFound(id);
        var now = clock.GetUtcNow();
        var report = MachineTimeline.Uptime(events.Select(e => e.Data), now - length, now);
        return TypedResults.Ok(new UptimeView(id, report.From, report.To, report.UptimeRatio, report.Offline.TotalSeconds, report.Episodes,
            report.Paused.TotalSeconds, report.Monitored.TotalSeconds, report.LongestOutage.TotalSeconds,
            report.Spans.Select(s => new UptimeSpan(s.State, s.From, s.To)).ToList()));
    }

    /// <summary>The machine's state at an instant in the past, from its events.</summary>
    public static async Task<Results<Ok<MachineStateAt>, ProblemHttpResult>> GetStateAt(
        Guid id, IQuerySession session, TimeProvider clock, CancellationToken ct, DateTimeOffset? t = null)
    {
        if (t is not { } at) return BadRequest("t is required: an ISO 8601 time such as 2026-11-24T03:12:00Z.");
        if (at > clock.GetUtcNow()) return BadRequest("t is in the future.");
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        if (events.FirstOrDefault()?.Data is not MachineRegistered) return NotFound(id);
        if (MachineTimeline.At(events.Select(e => e.Data), at) is not { } state)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"Machine {id} was not registered yet at {at:O}.");
        return TypedResults.Ok(new MachineStateAt(id, at, state.Status, state.Since, state.EpisodeId));
    }

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: detail);

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No machine {id}.");
}
