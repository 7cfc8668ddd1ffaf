using Heartbeat.Detector.Tracking;

namespace Heartbeat.Detector.Detection;

/// <summary>
/// What a warm standby had read beyond the tracker's progress when it took the lock, so the new leader judges at once
/// instead of after its daemon has started and caught up. The standby read every event committed before a moment it
/// noted (less <see cref="DetectorOptions.Grace"/>, as the watcher does), so silence is evidence up to then — except
/// for the machines it saw a heartbeat of there that memory does not hold yet: those are left to the tracker, and
/// judged (or recorded as an outage after the fact) only once it has caught up. The watcher and the late-episode
/// recorder ask the same question here, so they never both claim one deadline. Ends when the tracker has caught up.
/// </summary>
public sealed class ReadAhead
{
    private Snapshot? _current;

    /// <param name="KnownUntil">Every heartbeat received before this was read.</param>
    /// <param name="AliveAt">The newest heartbeat proving alive read beyond memory, per machine.</param>
    public sealed record Snapshot(DateTimeOffset KnownUntil, IReadOnlyDictionary<Guid, DateTimeOffset> AliveAt);

    public void Begin(Snapshot snapshot) => Volatile.Write(ref _current, snapshot);

    public void End() => Volatile.Write(ref _current, null);

    /// <summary>Ends the read-ahead once the tracker's own evidence reaches as far.</summary>
    public void EndIfCaughtUp(DateTimeOffset trackerKnownUntil)
    {
        if (Volatile.Read(ref _current) is { } s && trackerKnownUntil >= s.KnownUntil) End();
    }

    /// <summary>Up to when silence is evidence for any machine not <see cref="Waits"/>.</summary>
    public DateTimeOffset KnownUntil(DateTimeOffset trackerKnownUntil) =>
        Volatile.Read(ref _current) is { } s && s.KnownUntil > trackerKnownUntil ? s.KnownUntil : trackerKnownUntil;

    /// <summary>Up to when this machine's silence is evidence.</summary>
    public DateTimeOffset KnownUntil(Guid machineId, DateTimeOffset trackerKnownUntil) =>
        Volatile.Read(ref _current) is { } s && !s.AliveAt.ContainsKey(machineId) && s.KnownUntil > trackerKnownUntil ? s.KnownUntil : trackerKnownUntil;

    /// <summary>The newest heartbeat of the machine read ahead, if any: for the canaries, proof that intake worked until then.</summary>
    public DateTimeOffset? AliveAt(Guid machineId) =>
        Volatile.Read(ref _current) is { } s && s.AliveAt.TryGetValue(machineId, out var at) ? at : null;

    /// <summary>Whether the machine waits for the tracker: a heartbeat of it was read ahead.</summary>
    public bool Waits(TrackedMachine machine) => Volatile.Read(ref _current) is { } s && s.AliveAt.ContainsKey(machine.Id);
}
