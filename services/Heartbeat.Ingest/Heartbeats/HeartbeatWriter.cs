using System.Threading.Channels;
using Heartbeat.Contracts.Events;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.Extensions.Options;

namespace Heartbeat.Ingest.Heartbeats;

/// <summary>
/// Group commit: requests queue their heartbeat and wait; each writer loop takes whatever has queued
/// (up to MaxBatchSize), appends it as one new heartbeat stream in one transaction, then releases
/// every waiting request. So each answer still comes after its own commit, but many share one.
/// </summary>
public sealed class HeartbeatWriter(IDocumentStore store, IOptions<IngestOptions> options, ILogger<HeartbeatWriter> logger)
    : BackgroundService
{
    private sealed record Pending(HeartbeatReceived Heartbeat, TaskCompletionSource Committed);

    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(100_000) { FullMode = BoundedChannelFullMode.Wait });

    public async Task AppendAsync(HeartbeatReceived heartbeat, CancellationToken ct)
    {
        var pending = new Pending(heartbeat, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        await _queue.Writer.WriteAsync(pending, ct);
        // Not cancelled by the caller: once queued it may commit, and the request should learn whether it did.
        await pending.Committed.Task;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Writers).Select(_ => WriteLoopAsync(stoppingToken)));

    private async Task WriteLoopAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(options.Value.MaxBatchSize);
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < options.Value.MaxBatchSize && _queue.Reader.TryRead(out var pending)) batch.Add(pending);
            try
            {
                using var activity = HeartbeatTelemetry.Source.StartActivity("heartbeat group commit");
                activity?.SetTag("heartbeat.batch_size", batch.Count);
                await using var session = store.LightweightSession();
                session.Events.StartStream<HeartbeatBatch>(Guid.CreateVersion7(), batch.Select(p => (object)p.Heartbeat).ToArray());
                await session.SaveChangesAsync(CancellationToken.None);
                foreach (var p in batch) p.Committed.TrySetResult();
            }
            catch (Exception e)
            {
                logger.LogError(e, "Committing {Count} heartbeats failed; their requests get an error", batch.Count);
                foreach (var p in batch) p.Committed.TrySetException(new HeartbeatNotStoredException(e));
            }
            batch.Clear();
            if (stoppingToken.IsCancellationRequested && _queue.Reader.Count == 0) break;
        }
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

public sealed class HeartbeatNotStoredException(Exception inner)
    : Exception("The heartbeat could not be stored; send it again.", inner);
