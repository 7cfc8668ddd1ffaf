using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.Detector.Tracking;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Heartbeat.Detector.Status;

public static class MachinesApi
{
    public static IEndpointRouteBuilder MapMachinesApi(this IEndpointRouteBuilder app)
    {
        var machines = app.MapGroup("/api/machines").RequireKey(KeyRole.Read);
        machines.MapGet("/", List);
        machines.MapGet("/{id:guid}", Get);
        machines.MapGet("/{id:guid}/history", History);
        machines.MapGet("/{id:guid}/uptime", GetUptime);
        return app;
    }

    // Last seen comes from the detector's memory (the fleet), which is current to the last tracked page;
    // the rest from the status documents.
    public static async Task<Ok<List<MachineView>>> List(IQuerySession session, Fleet fleet, TimeProvider clock, IOptions<DetectorOptions> options, CancellationToken ct)
    {
        var statuses = await session.Query<MachineStatus>().Where(s => !s.Retired).OrderBy(s => s.Name).ToListAsync(ct);
        var now = clock.GetUtcNow();
        return TypedResults.Ok(statuses.Select(s => MachineStatusRules.View(s, fleet.Find(s.Id), now, options.Value)).ToList());
    }

    public static async Task<Results<Ok<MachineView>, ProblemHttpResult>> Get(Guid id, IDocumentSession session, Fleet fleet, TimeProvider clock, IOptions<DetectorOptions> options, CancellationToken ct)
    {
        // FetchLatest adds events the async projection has not applied yet, so a machine is visible
        // (and paused, or resumed) the moment the call that changed it has answered.
        var status = await session.Events.FetchLatest<MachineStatus>(id, ct);
        if (status is null || status.Retired) return NotFound(id);
        return TypedResults.Ok(MachineStatusRules.View(status, fleet.Find(id), clock.GetUtcNow(), options.Value));
    }

    /// <summary>The machine's transitions, newest first.</summary>
    public static async Task<Results<Ok<List<TransitionView>>, ProblemHttpResult>> History(Guid id, IQuerySession session, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        if (events.Count == 0) return NotFound(id);
        var transitions = events
            .Select(e => e.Data switch
            {
                MachineWentOffline off => new TransitionView("offline", off.DetectedAt, off.EpisodeId, off.LastSeenAt, null, null),
                MachineWentOnline on => new TransitionView("online", on.CameBackAt, on.EpisodeId, null, on.OfflineSince, on.Downtime.TotalSeconds),
                _ => null,
            })
            .OfType<TransitionView>()
            .Reverse()
            .ToList();
        return TypedResults.Ok(transitions);
    }

    /// <summary>Uptime over the last <paramref name="days"/> days (default 30), from the machine's transitions.</summary>
    public static async Task<Results<Ok<UptimeView>, ProblemHttpResult>> GetUptime(
        Guid id, IQuerySession session, TimeProvider clock, CancellationToken ct, int? days = null)
    {
        if (days is < 1 or > 3650)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: "days must be between 1 and 3650.");
        var events = await session.Events.FetchStreamAsync(id, token: ct);
        if (events.FirstOrDefault()?.Data is not MachineRegistered registered) return NotFound(id);
        var now = clock.GetUtcNow();
        var report = Uptime.Compute(events.Select(e => e.Data), registered.RegisteredAt, now.AddDays(-(days ?? 30)), now);
        return TypedResults.Ok(new UptimeView(id, report.From, report.To, report.UptimeRatio, report.OfflineSeconds, report.Episodes));
    }

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No machine {id}.");
}
