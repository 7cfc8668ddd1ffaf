using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Tracking;
using Microsoft.Extensions.Time.Testing;

namespace Heartbeat.Detector.Tests.Detection;

/// <summary>Builds a tracked machine from the events it has seen, the way the tracker does.</summary>
internal sealed class Given
{
    public static readonly TimeSpan DefaultThreshold = TimeSpan.FromMinutes(2);
    public readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 11, 23, 3, 12, 0, TimeSpan.Zero));
    public TrackedMachine Machine;
    private long _version = 1;

    public Given(TimeSpan? threshold = null)
    {
        var id = Guid.CreateVersion7();
        Machine = TrackedMachine.Create(
            new MachineRegistered(id, "db-1", "db-1.internal", null, [], threshold, null, "hash", Clock.GetUtcNow()), _version);
    }

    public DateTimeOffset Now => Clock.GetUtcNow();

    public HeartbeatEntry Heartbeat(ReportedStatus status = ReportedStatus.Ok)
    {
        var heartbeat = new HeartbeatEntry(Machine.Id, Now, HeartbeatSource.Agent, status, "1.0.0");
        Machine = Machine.Seen(heartbeat);
        return heartbeat;
    }

    public void Stored(object machineStreamEvent) => Machine = Machine.Apply(machineStreamEvent, ++_version);

    public void Wait(TimeSpan time) => Clock.Advance(time);
}
