using Heartbeat.Prober.Targets;

namespace Heartbeat.Prober.Scheduling;

/// <summary>
/// The prober's memory: every machine's <see cref="ProbeTarget"/> and, for the probed ones, when each is next due.
/// Filled by the leader from the stored targets, kept current by <see cref="ProbeTargetFollower"/>, emptied when
/// leadership ends. Thread-safe; <see cref="Changed"/> wakes the runner when something became due sooner.
/// </summary>
public sealed class ProbeSchedule(TimeProvider clock)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, ProbeTarget> _targets = [];
    // Each entry carries the generation it was scheduled in: after a change of probe, pause or resume the machine
    // gets a new generation and a new entry, and the old entry is dropped when it comes up.
    private readonly PriorityQueue<(Guid Id, long Generation), DateTimeOffset> _due = new();
    private readonly Dictionary<Guid, long> _generations = [];
    private long _generation;
    private readonly HashSet<Guid> _running = [];
    private TaskCompletionSource _changed = NewSignal();

    public int Count { get { lock (_lock) return _targets.Count; } }

    public int ProbedCount { get { lock (_lock) return _targets.Values.Count(t => t.IsProbed); } }

    /// <summary>Completes when a target changed (a probe may be due sooner than the runner is waiting for).</summary>
    public Task Changed { get { lock (_lock) return _changed.Task; } }

    public ProbeTarget? Find(Guid id)
    {
        lock (_lock) return _targets.GetValueOrDefault(id);
    }

    public void Set(IEnumerable<ProbeTarget> targets)
    {
        var now = clock.GetUtcNow();
        lock (_lock)
        {
            foreach (var target in targets)
            {
                var before = _targets.GetValueOrDefault(target.Id);
                _targets[target.Id] = target;
                // A new error or pinned key changes nothing about timing; a changed probe, pause or resume does.
                if (target.IsProbed && (before is null || !before.IsProbed || before.Probe != target.Probe))
                {
                    _generations[target.Id] = ++_generation;
                    _due.Enqueue((target.Id, _generation), ProbeTiming.NextDue(target.Id, target.Probe!.Interval, now));
                }
            }
            _changed.TrySetResult();
            _changed = NewSignal();
        }
    }

    /// <summary>Records what a committed probe result changed (an error, a pinned key), without rescheduling.</summary>
    public void Update(Guid id, Func<ProbeTarget, ProbeTarget> change)
    {
        lock (_lock)
        {
            if (_targets.TryGetValue(id, out var target)) _targets[id] = change(target);
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _targets.Clear();
            _generations.Clear();
            _due.Clear();
            _running.Clear();
        }
    }

    /// <summary>When the earliest probe is due, or null when nothing is probed.</summary>
    public DateTimeOffset? NextDueAt()
    {
        lock (_lock)
        {
            while (_due.TryPeek(out var entry, out var due))
            {
                if (IsCurrent(entry)) return due;
                _due.Dequeue();
            }
            return null;
        }
    }

    /// <summary>
    /// Takes the probes due at <paramref name="now"/> (at most <paramref name="max"/>) and schedules each one's next
    /// run. A machine whose previous probe is still running is skipped this time: one probe per machine at once.
    /// </summary>
    public List<(ProbeTarget Target, DateTimeOffset Due)> TakeDue(DateTimeOffset now, int max)
    {
        var taken = new List<(ProbeTarget, DateTimeOffset)>();
        lock (_lock)
        {
            while (taken.Count < max && _due.TryPeek(out var entry, out var due) && due <= now)
            {
                _due.Dequeue();
                if (!IsCurrent(entry)) continue;
                var target = _targets[entry.Id];
                // Next time from this due time, not from now (a late probe keeps the machine's phase), but missed
                // times more than an interval ago are skipped rather than caught up in a burst.
                var next = ProbeTiming.NextDue(target.Id, target.Probe!.Interval, due > now - target.Probe.Interval ? due : now);
                _due.Enqueue(entry, next);
                if (_running.Add(target.Id)) taken.Add((target, due));
            }
        }
        return taken;
    }

    public void Finished(Guid id)
    {
        lock (_lock) _running.Remove(id);
    }

    private bool IsCurrent((Guid Id, long Generation) entry) =>
        _generations.GetValueOrDefault(entry.Id) == entry.Generation && _targets.TryGetValue(entry.Id, out var current) && current.IsProbed;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
