using Heartbeat.Contracts.Events;
using Marten;

namespace Heartbeat.ServiceDefaults;

/// <summary>Every stored event type, registered up front so the schema exists before the first append.</summary>
public static class HeartbeatEventTypes
{
    public static readonly Type[] All =
    [
        typeof(MachineRegistered), typeof(MachineSettingsChanged), typeof(MonitoringPaused),
        typeof(MonitoringResumed), typeof(MachineRetired), typeof(HeartbeatReceived), typeof(HeartbeatsReceived),
        typeof(MachineWentOffline), typeof(MachineWentOnline), typeof(PingKeyIssued), typeof(PingKeyRevoked),
        typeof(MachineTokenRotated),
        typeof(ProbeFailed), typeof(ProbeRecovered), typeof(ProbeHostKeyPinned),
        typeof(RunFinished),
        typeof(MachineReportedWarning), typeof(MachineWarningCleared),
    ];

    public static void Register(StoreOptions opts)
    {
        foreach (var type in All) opts.Events.AddEventType(type);
    }
}
