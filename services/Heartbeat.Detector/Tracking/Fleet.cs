using Heartbeat.Contracts.Events;

namespace Heartbeat.Detector.Tracking;

/// <summary>
/// Every tracked machine in memory, with a deadline queue so the watcher finds the machines whose
/// deadline passed without scanning the fleet. Written by the tracker (after its commits) and the
/// watcher (after it appends a transition); one lock keeps them consistent.
/// </summary>
public sealed class Fleet
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, TrackedMachine> _machines = new();
    // Lazy deletion: entries are not removed when a deadline moves; a popped entry counts only if the
    // machine's current deadline has really passed.
    private readonly PriorityQueue<Guid, DateTimeOffset> _deadlines = new();
    private TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeSpan _defaultThreshold;

    public Fleet(TimeSpan defaultThreshold) => _defaultThreshold = defaultThreshold;

    public TimeSpan DefaultThreshold => _defaultThreshold;

    /// <summary>The highest event sequence whose effects are in memory.</summary>
    public long SeenThrough { get; private set; }

    public Task Loaded => _loaded.Task;

    /// <summary>Up to when every received heartbeat has been seen, as last established by the watcher.</summary>
    public DateTimeOffset KnownUntil { get; set; } = DateTimeOffset.MinValue;

    public int Count { get { lock (_gate) return _machines.Count; } }

    public void Load(IEnumerable<TrackedMachine> machines, long seenThrough)
    {
        lock (_gate)
        {
            foreach (var m in machines) Put(m);
            SeenThrough = seenThrough;
        }
        _loaded.TrySetResult();
    }

    /// <summary>Forgets everything when this instance stops leading: memory is rebuilt from the store when it leads again.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _machines.Clear();
            _deadlines.Clear();
            SeenThrough = 0;
            KnownUntil = DateTimeOffset.MinValue;
            if (_loaded.Task.IsCompleted) _loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public TrackedMachine? Find(Guid id)
    {
        lock (_gate) return _machines.GetValueOrDefault(id);
    }

    /// <summary>Applies what a committed tracker page changed.</summary>
    public void Commit(IEnumerable<TrackedMachine> changed, long seenThrough)
    {
        lock (_gate)
        {
            foreach (var m in changed) Put(m);
            if (seenThrough > SeenThrough) SeenThrough = seenThrough;
            // Entries leave the queue only when the watcher takes them; a standby follows without judging, so there
            // they would pile up with every heartbeat. One entry per machine's current deadline is all that counts.
            if (_deadlines.Count > 2 * _machines.Count + 1_000)
            {
                _deadlines.Clear();
                foreach (var m in _machines.Values)
                    if (m.Deadline(_defaultThreshold) is { } deadline) _deadlines.Enqueue(m.Id, deadline);
            }
        }
    }

    /// <summary>Records a transition appended by the watcher before the tracker reads it back.</summary>
    public void Update(Guid id, Func<TrackedMachine, TrackedMachine> change)
    {
        lock (_gate)
        {
            if (_machines.TryGetValue(id, out var m)) Put(change(m));
        }
    }

    /// <summary>Machines whose deadline is at or before <paramref name="until"/>, removed from the queue.</summary>
    public List<TrackedMachine> TakeDue(DateTimeOffset until)
    {
        var due = new Dictionary<Guid, TrackedMachine>();
        lock (_gate)
        {
            while (_deadlines.TryPeek(out var id, out var queuedAt) && queuedAt <= until)
            {
                _deadlines.Dequeue();
                if (_machines.TryGetValue(id, out var m) && m.Deadline(_defaultThreshold) <= until) due[id] = m;
            }
        }
        return due.Values.ToList();
    }

    /// <summary>Puts a machine back in the queue, e.g. when judging it failed and must be retried.</summary>
    public void Requeue(Guid id, DateTimeOffset at)
    {
        lock (_gate) _deadlines.Enqueue(id, at);
    }

    public IReadOnlyList<TrackedMachine> Snapshot()
    {
        lock (_gate) return _machines.Values.ToList();
    }

    private void Put(TrackedMachine m)
    {
        var before = _machines.GetValueOrDefault(m.Id)?.Deadline(_defaultThreshold);
        _machines[m.Id] = m;
        if (m.Deadline(_defaultThreshold) is { } deadline && deadline != before) _deadlines.Enqueue(m.Id, deadline);
    }
}
