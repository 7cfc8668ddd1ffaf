using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Tracking;
using Marten;
using Microsoft.Extensions.Options;

namespace Heartbeat.Detector.Detection;

/// <summary>The tracker's one call for outages nobody watched (<see cref="LateEpisodes"/>): appends the episode in the tracker's own transaction.</summary>
public sealed class LateEpisodeRecorder(Fleet fleet, IntakeMonitor intake, ReadAhead readAhead, IOptions<DetectorOptions> options, ILogger<LateEpisodeRecorder> logger)
{
    /// <summary>The machine after the episode, or null when the heartbeat ends no unwatched outage.</summary>
    public TrackedMachine? Record(TrackedMachine machine, HeartbeatEntry heartbeat, IDocumentOperations operations)
    {
        var o = options.Value;
        if (LateEpisodes.Decide(machine, heartbeat, readAhead.KnownUntil(machine.Id, fleet.KnownUntil), o.OfflineThreshold, o.ExpectedInterval, o.Grace, intake.Interruptions, Guid.CreateVersion7())
            is not var (offline, online)) return null;
        operations.Events.Append(machine.Id, offline, online);
        logger.LogWarning("Machine {MachineName} ({MachineId}) was offline from {OfflineSince:O} to {CameBackAt:O} while no detector was judging; recorded after the fact",
            machine.Name, machine.Id, online.OfflineSince, online.CameBackAt);
        return machine.WentOffline(offline).WentOnline(online);
    }
}
