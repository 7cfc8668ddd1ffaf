using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartbeat.Detector.Platform;

public static class PlatformApi
{
    public static IEndpointRouteBuilder MapPlatformApi(this IEndpointRouteBuilder app)
    {
        var platform = app.MapGroup("/api/platform").RequireKey(KeyRole.Read);
        platform.MapGet("/incidents", Incidents);
        platform.MapGet("/detection", Detection);
        return app;
    }

    /// <summary>Intake interruptions as recorded on the platform stream, newest first; an open one has no end.</summary>
    public static async Task<Ok<List<IntakeIncidentView>>> Incidents(IQuerySession session, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(PlatformStream.Id, token: ct);
        return TypedResults.Ok(Fold(events.Select(e => e.Data)));
    }

    /// <summary>This instance's role; the fault suite measures takeovers with it.</summary>
    public static Ok<DetectionView> Detection(Leadership.Leadership leadership, Detection.IntakeMonitor intake)
    {
        var open = intake.Open is { } o ? new IntakeIncidentView(o.Id, o.Start, null, null, o.Cause, o.Start) : null;
        return TypedResults.Ok(new DetectionView(leadership.IsLeader ? "leader" : "standby", leadership.LeaderSince, leadership.JudgingSince, Environment.ProcessId, open));
    }

    /// <summary>Pure: the platform stream's events to one view per incident, newest first.</summary>
    public static List<IntakeIncidentView> Fold(IEnumerable<object> events)
    {
        var incidents = new Dictionary<Guid, IntakeIncidentView>();
        foreach (var e in events)
        {
            switch (e)
            {
                case IntakeInterrupted i:
                    incidents[i.IncidentId] = new IntakeIncidentView(i.IncidentId, i.Start, null, null, i.Cause, i.DetectedAt);
                    break;
                case IntakeRestored r:
                    var detectedAt = incidents.TryGetValue(r.IncidentId, out var open) ? open.DetectedAt : r.End;
                    incidents[r.IncidentId] = new IntakeIncidentView(r.IncidentId, r.Start, r.End, r.Duration.TotalSeconds, r.Cause, detectedAt);
                    break;
            }
        }
        return incidents.Values.OrderByDescending(i => i.StartedAt).ToList();
    }
}
