using Heartbeat.Contracts.Events;

namespace Heartbeat.Detector.Tracking;

/// <summary>
/// The heartbeats a stored event holds: every entry of a group commit's <see cref="HeartbeatsReceived"/>, or
/// the one heartbeat of a <see cref="HeartbeatReceived"/> stored before batches were one event — so old and
/// new heartbeats count the same.
/// </summary>
public static class StoredHeartbeats
{
    public static IReadOnlyList<HeartbeatEntry> In(object data) => data switch
    {
        HeartbeatsReceived batch => batch.Heartbeats,
        HeartbeatReceived one => [new HeartbeatEntry(one.MachineId, one.ReceivedAt, one.Source, one.Status, one.AgentVersion, one.Message, one.Metrics)],
        _ => [],
    };
}
