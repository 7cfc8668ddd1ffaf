using System.Threading.Channels;
using Heartbeat.Contracts.Events;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.Extensions.Options;

namespace Heartbeat.Ingest.Heartbeats;

/// <summary>
/// Group commit: requests queue their heartbeat and wait; each writer loop takes whatever has queued
/// (up to MaxBatchSize) and appends it as one <see cref="HeartbeatsReceived"/> event on a new heartbeat
/// stream in one transaction, then releases every waiting request. So each answer still comes after its
/// own commit, but many share one. Any intake (agents now; ping URLs and probes later) submits through
/// <see cref="AppendAsync"/>. A heartbeat whose content the database refuses fails alone
/// (<see cref="IsolatingCommit"/>).
/// </summary>
public sealed class HeartbeatWriter(IDocumentStore store, IOptions<IngestOptions> options, ILogger<HeartbeatWriter> logger)
    : BackgroundService
{
    private sealed record Pending(HeartbeatEntry Heartbeat, TaskCompletionSource Committed);

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.Wait });

    /// <summary>The server's clock at the precision heartbeats are stored with (whole microseconds), so an answer's timestamp equals the stored one.</summary>
    public static DateTimeOffset ReceivedAt(TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.UtcTicks % TimeSpan.TicksPerMicrosecond));
    }

    /// <summary>Returns once the heartbeat is committed; throws <see cref="HeartbeatNotStoredException"/> when it was not.</summary>
    public async Task AppendAsync(HeartbeatEntry heartbeat, CancellationToken ct)
    {
        // While tracing records this request, the heartbeat keeps its trace context: the online transition it may
        // cause, the message and the notification continue the same trace.
        if (HeartbeatTelemetry.CurrentTraceParent() is { } request) heartbeat = heartbeat with { TraceParent = request };
        var pending = new Pending(heartbeat, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, ct);
        // Not cancelled by the caller: once queued it may commit, and the request should learn whether it did.
        await pending.Committed.Task;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Writers).Select(_ => WriteLoopAsync(stoppingToken)));

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var buffer = new Pending[options.Value.MaxBatchSize];
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            var count = 0;
            while (count < buffer.Length && _queue.Reader.TryRead(out var pending)) buffer[count++] = pending;
            using (var activity = HeartbeatTelemetry.Source.StartActivity("heartbeat group commit", System.Diagnostics.ActivityKind.Internal,
                       parentContext: default, links: Links(new ArraySegment<Pending>(buffer, 0, count))))
            {
                activity?.SetTag("heartbeat.batch_size", count);
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var attempts = await IsolatingCommit.RunAsync(new ArraySegment<Pending>(buffer, 0, count), CommitAsync, Settle, IsolatingCommit.CausedByContent);
                HeartbeatTelemetry.GroupCommitSize.Record(count);
                HeartbeatTelemetry.GroupCommitDuration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds);
                if (attempts > 1) logger.LogWarning("A batch of {Count} heartbeats needed {Attempts} commits to isolate the heartbeats the database refused", count, attempts);
            }
            Array.Clear(buffer, 0, count);
            if (stoppingToken.IsCancellationRequested && _queue.Reader.Count == 0) break;
        }
    }

    /// <summary>The batch span links to each heartbeat's request span: one commit serves many traces.</summary>
    private static IEnumerable<System.Diagnostics.ActivityLink>? Links(ArraySegment<Pending> batch) =>
        HeartbeatTelemetry.Source.HasListeners() ? HeartbeatTelemetry.LinksTo(batch.Select(p => p.Heartbeat.TraceParent)) : null;

    private async Task CommitAsync(ArraySegment<Pending> batch)
    {
        var heartbeats = new HeartbeatEntry[batch.Count];
        for (var i = 0; i < batch.Count; i++) heartbeats[i] = batch[i].Heartbeat;
        await using var session = store.LightweightSession();
        session.Events.StartStream<HeartbeatBatch>(Guid.CreateVersion7(), new HeartbeatsReceived(heartbeats));
        await session.SaveChangesAsync(CancellationToken.None);
    }

    private void Settle(ArraySegment<Pending> part, Exception? failure)
    {
        if (failure is null)
        {
            foreach (var p in part) p.Committed.TrySetResult();
            return;
        }
        var refused = part.Count == 1 && IsolatingCommit.CausedByContent(failure);
        if (refused)
            logger.LogWarning(failure, "The database refused the heartbeat of machine {MachineId}; only its request gets an error", part[0].Heartbeat.MachineId);
        else
            logger.LogError(failure, "Committing {Count} heartbeats failed; their requests get an error", part.Count);
        foreach (var p in part) p.Committed.TrySetException(new HeartbeatNotStoredException(failure, refused));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Drain: whatever is queued is committed before the process exits.
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }
}

/// <summary>
/// The stream type of a group commit's heartbeats (<c>mt_streams.type</c> = heartbeat_batch), which is how
/// retention tells heartbeat streams from machine streams.
/// </summary>
public sealed class HeartbeatBatch;

/// <summary>Not committed: <see cref="RefusedContent"/> when the database refused what this heartbeat holds (sending it again will not help), otherwise a failure worth retrying.</summary>
public sealed class HeartbeatNotStoredException(Exception inner, bool refusedContent)
    : Exception(refusedContent ? "The database refused a value in this heartbeat; it was not stored." : "The heartbeat could not be stored; send it again.", inner)
{
    public bool RefusedContent { get; } = refusedContent;
}
