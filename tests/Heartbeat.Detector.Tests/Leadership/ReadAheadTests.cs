using Heartbeat.Detector.Detection;
using Heartbeat.Detector.Tests.Detection;

namespace Heartbeat.Detector.Tests.Leadership;

public class ReadAheadTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Silence_is_evidence_up_to_the_read_ahead_except_for_machines_seen_there()
    {
        var seen = new Given();
        var silent = new Given();
        var readAhead = new ReadAhead();
        readAhead.Begin(new ReadAhead.Snapshot(T0, new Dictionary<Guid, DateTimeOffset> { [seen.Machine.Id] = T0.AddSeconds(-1) }));

        Assert.Equal(T0, readAhead.KnownUntil(DateTimeOffset.MinValue));
        Assert.Equal(T0, readAhead.KnownUntil(silent.Machine.Id, DateTimeOffset.MinValue));
        // The watcher leaves it to the tracker, and so the late-episode recorder keeps the tracker's own evidence.
        Assert.True(readAhead.Waits(seen.Machine));
        Assert.Equal(DateTimeOffset.MinValue, readAhead.KnownUntil(seen.Machine.Id, DateTimeOffset.MinValue));
        Assert.False(readAhead.Waits(silent.Machine));
    }

    [Fact]
    public void Ends_once_the_tracker_has_read_as_far()
    {
        var machine = new Given();
        var readAhead = new ReadAhead();
        readAhead.Begin(new ReadAhead.Snapshot(T0, new Dictionary<Guid, DateTimeOffset> { [machine.Machine.Id] = T0 }));

        readAhead.EndIfCaughtUp(T0.AddMilliseconds(-1));
        Assert.True(readAhead.Waits(machine.Machine));
        readAhead.EndIfCaughtUp(T0);
        Assert.False(readAhead.Waits(machine.Machine));
        Assert.Equal(T0.AddSeconds(-5), readAhead.KnownUntil(T0.AddSeconds(-5)));
    }
}
