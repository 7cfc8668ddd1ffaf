using Heartbeat.Detector.Tracking;

namespace Heartbeat.Detector.Publishing;

/// <summary>
/// How many machines behind an offline machine are unreachable with it, for its notification ("switch-3 is offline;
/// 40 machines behind it are unreachable"). Counted from what the detector knows when the parent's offline goes out —
/// the machines that name it as <c>depends_on</c>, and theirs in turn — rather than from the children's own offlines:
/// those come in any order, often after the parent's (a child's threshold may be longer), and waiting for them would
/// delay the one notification that matters. A machine counts if it is neither paused nor retired and is silent at
/// the parent's offline: offline already, never seen, or not heard from within its expected interval. One still
/// sending heartbeats is not unreachable, whatever it depends on. Pure; safe against cycles.
/// </summary>
public static class Dependents
{
    /// <summary>Children by parent, built once for a page of transitions.</summary>
    public static ILookup<Guid, TrackedMachine> ByParent(IEnumerable<TrackedMachine> fleet) =>
        fleet.Where(m => m.DependsOn is not null).ToLookup(m => m.DependsOn!.Value);

    public static int Unreachable(Guid parent, ILookup<Guid, TrackedMachine> byParent, DateTimeOffset at, TimeSpan defaultInterval)
    {
        var seen = new HashSet<Guid> { parent };
        var queue = new Queue<Guid>([parent]);
        var count = 0;
        while (queue.TryDequeue(out var id))
            foreach (var child in byParent[id])
            {
                if (!seen.Add(child.Id) || child.Retired) continue;
                queue.Enqueue(child.Id);
                if (!child.Paused && IsSilent(child, at, defaultInterval)) count++;
            }
        return count;
    }

    public static bool IsSilent(TrackedMachine machine, DateTimeOffset at, TimeSpan defaultInterval) =>
        machine.IsOffline || machine.LastSeenAt is not { } seen || at - seen > (machine.ExpectedInterval ?? defaultInterval);
}
