using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Tracking;

namespace Heartbeat.Detector.Detection;

/// <summary>
/// Warning spells, from what fresh heartbeats report. Pure: the machine before the heartbeat, the heartbeat and a new
/// id in; the fact to append, or nothing, out. A spell begins with the first heartbeat that reports <c>warning</c> and
/// ends with the first that reports <c>ok</c>; the heartbeats in between change nothing, so each spell is told once.
/// Only a heartbeat that proves the machine alive and is the newest seen counts (one from an earlier commit read
/// late says nothing about now), and only one without a run signal: a job's start or exit reports no status.
/// </summary>
public static class Warnings
{
    public static object? Decide(TrackedMachine machine, HeartbeatEntry heartbeat, Guid newWarningId)
    {
        if (machine.Retired || heartbeat.Run is not null || !TransitionDecisions.ProvesAlive(heartbeat)) return null;
        if (machine.LastSeenAt is { } lastSeen && heartbeat.ReceivedAt < lastSeen) return null;
        return (heartbeat.Status, machine.WarningId) switch
        {
            (ReportedStatus.Warning, null) => new MachineReportedWarning(machine.Id, heartbeat.ReceivedAt, newWarningId, heartbeat.Message),
            (ReportedStatus.Ok, { } spell) => new MachineWarningCleared(machine.Id, heartbeat.ReceivedAt, spell, heartbeat.Message),
            _ => null,
        };
    }
}
