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
        return app;
    }

    public static async Task<Ok<List<MachineView>>> List(IQuerySession session, TimeProvider clock, IOptions<DetectorOptions> options, CancellationToken ct)
    {
        var statuses = await session.Query<MachineStatus>().Where(s => !s.Retired).OrderBy(s => s.Name).ToListAsync(ct);
        var tracked = (await session.Query<TrackedMachine>().ToListAsync(ct)).ToDictionary(t => t.Id);
        var now = clock.GetUtcNow();
        return TypedResults.Ok(statuses.Select(s => MachineStatusRules.View(s, tracked.GetValueOrDefault(s.Id), now, options.Value)).ToList());
    }

    public static async Task<Results<Ok<MachineView>, ProblemHttpResult>> Get(Guid id, IDocumentSession session, TimeProvider clock, IOptions<DetectorOptions> options, CancellationToken ct)
    {
        // FetchLatest adds events the async projection has not applied yet, so a machine is visible
        // (and paused, or resumed) the moment the call that changed it has answered.
        var status = await session.Events.FetchLatest<MachineStatus>(id, ct);
        if (status is null || status.Retired) return NotFound(id);
        var tracked = await session.LoadAsync<TrackedMachine>(id, ct);
        return TypedResults.Ok(MachineStatusRules.View(status, tracked, clock.GetUtcNow(), options.Value));
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

    private static ProblemHttpResult NotFound(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No machine {id}.");
}
