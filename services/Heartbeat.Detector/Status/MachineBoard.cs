using Heartbeat.Contracts.Http;
using Microsoft.Extensions.Options;

namespace Heartbeat.Detector.Status;

/// <summary>
/// Every machine's current view, as last computed by <see cref="MachineBoardRefresher"/>, and the numbered changes
/// between computations for the live stream. Lists are answered from here, in memory, so a 10,000-machine fleet
/// costs a sort, not a database read. Change ids are <c>{epoch}-{sequence}</c>: the epoch differs for every start
/// of the detector, so a client resuming with an id from before a restart is told to reload instead of missing changes.
/// </summary>
public sealed class MachineBoard(IOptions<StatusOptions> options)
{
    private readonly Lock _gate = new();
    private readonly Queue<(long Sequence, MachineChanged Change)> _changes = new();
    private readonly int _capacity = options.Value.ReplayCapacity;
    private TaskCompletionSource _changed = NewSignal();
    private Snapshot _current = new([], new Dictionary<Guid, MachineView>(), false);

    public sealed record Snapshot(IReadOnlyList<MachineView> Machines, IReadOnlyDictionary<Guid, MachineView> ById, bool Loaded);

    public string Epoch { get; } = Guid.CreateVersion7().ToString("N")[..12];

    /// <summary>The number of the newest change.</summary>
    public long Sequence { get; private set; }

    public Snapshot Current => Volatile.Read(ref _current);

    /// <summary>Replaces the views and numbers the changes that led to them; wakes every stream.</summary>
    public void Publish(IReadOnlyList<MachineView> machines, IReadOnlyDictionary<Guid, MachineView> byId, IReadOnlyList<MachineChanged> changes)
    {
        TaskCompletionSource wake;
        lock (_gate)
        {
            Volatile.Write(ref _current, new Snapshot(machines, byId, true));
            if (changes.Count == 0) return;
            foreach (var change in changes)
            {
                _changes.Enqueue((++Sequence, change));
                if (_changes.Count > _capacity) _changes.Dequeue();
            }
            wake = _changed;
            _changed = NewSignal();
        }
        wake.TrySetResult();
    }

    public string IdOf(long sequence) => $"{Epoch}-{sequence}";

    /// <summary>The sequence a client's Last-Event-ID resumes after, or null when it cannot (another epoch, or too old).</summary>
    public long? ResumePoint(string? lastEventId)
    {
        if (lastEventId?.Split('-') is not [var epoch, var number] || epoch != Epoch || !long.TryParse(number, out var sequence)) return null;
        lock (_gate)
        {
            if (sequence > Sequence) return null;
            var oldest = _changes.TryPeek(out var first) ? first.Sequence : Sequence + 1;
            return sequence >= oldest - 1 ? sequence : null;
        }
    }

    /// <summary>The changes after <paramref name="sequence"/>, oldest first; null when some were already dropped.</summary>
    public List<(long Sequence, MachineChanged Change)>? After(long sequence)
    {
        lock (_gate)
        {
            if (_changes.TryPeek(out var first) && first.Sequence > sequence + 1) return null;
            return _changes.Where(c => c.Sequence > sequence).ToList();
        }
    }

    /// <summary>Completes when a change after <paramref name="sequence"/> exists, or with false after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitAsync(long sequence, TimeSpan timeout, TimeProvider clock, CancellationToken ct)
    {
        Task signal;
        lock (_gate)
        {
            if (Sequence > sequence) return true;
            signal = _changed.Task;
        }
        try
        {
            await signal.WaitAsync(timeout, clock, ct);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
