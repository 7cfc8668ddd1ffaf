using System.Threading.Channels;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// Many callers, one statement: each caller queues its item and waits; one loop takes whatever has queued (up to
/// <paramref name="maxBatch"/>) and commits it all in one round trip, then releases every caller with the outcome.
/// So each caller still learns only after its own commit (a message is acknowledged, an attempt counts as recorded),
/// but ten thousand transitions or attempts cost tens of transactions instead of ten thousand. Same idea as ingest's
/// heartbeat writer. A failed commit fails every item in it; their callers retry (the message is redelivered, the
/// delivery is claimed again when its lease ends), and the statements are idempotent, so nothing is lost or doubled.
/// </summary>
public sealed class GroupCommit<T>(Func<IReadOnlyList<T>, Task> commit, int maxBatch)
{
    private sealed record Pending(T Item, TaskCompletionSource Committed);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Returns once the item is committed; throws what the commit threw when it was not.</summary>
    public async Task SubmitAsync(T item)
    {
        var pending = new Pending(item, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending)) throw new InvalidOperationException("The notifier is stopping; nothing more is committed.");
        await pending.Committed.Task;
    }

    /// <summary>Commits until <see cref="Complete"/> is called and everything queued before it is committed.</summary>
    public async Task RunAsync()
    {
        var batch = new List<Pending>(maxBatch);
        var items = new List<T>(maxBatch);
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < maxBatch && _queue.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
                items.Add(pending.Item);
            }
            try
            {
                await commit(items);
                foreach (var p in batch) p.Committed.TrySetResult();
            }
            catch (Exception e)
            {
                foreach (var p in batch) p.Committed.TrySetException(e);
            }
            batch.Clear();
            items.Clear();
        }
    }

    public void Complete() => _queue.Writer.TryComplete();
}
