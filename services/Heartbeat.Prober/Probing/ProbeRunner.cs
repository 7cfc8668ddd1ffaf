using Heartbeat.Prober.Recording;
using Heartbeat.Prober.Scheduling;
using Microsoft.Extensions.Options;

namespace Heartbeat.Prober.Probing;

/// <summary>
/// Runs due probes while this instance leads: waits for the earliest due time (or a schedule change), starts each
/// due probe as a slot of <see cref="ProberOptions.MaxParallelProbes"/> frees up, and hands every outcome to the
/// <see cref="ProbeRecorder"/>. The bound keeps a fleet of slow or dead hosts from opening unbounded sockets; when
/// it is reached, probes start late rather than all at once.
/// </summary>
public sealed class ProbeRunner(ProbeSchedule schedule, Probes probes, ProbeRecorder recorder, TimeProvider clock,
    IOptions<ProberOptions> options, ILogger<ProbeRunner> logger)
{
    private static readonly TimeSpan MaxSleep = TimeSpan.FromSeconds(1);

    public async Task RunAsync(CancellationToken ct)
    {
        var slots = new SemaphoreSlim(options.Value.MaxParallelProbes);
        var running = new HashSet<Task>();
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var changed = schedule.Changed;
                var now = clock.GetUtcNow();
                var due = schedule.TakeDue(now, options.Value.MaxParallelProbes);
                foreach (var (target, _) in due)
                {
                    await slots.WaitAsync(ct);
                    var probe = Task.Run(async () =>
                    {
                        try
                        {
                            recorder.Record(await probes.RunAsync(target, ct));
                        }
                        catch (Exception e) when (!ct.IsCancellationRequested)
                        {
                            // A fault of the probe code, not of the machine: reported as the machine's probe error
                            // (so it shows on its status) and logged once per occurrence.
                            logger.LogError(e, "Probing machine {MachineId} failed unexpectedly", target.Id);
                            recorder.Record(new ProbeOutcome(target.Id, clock.GetUtcNow(), $"The prober failed: {e.GetType().Name}."));
                        }
                        finally
                        {
                            schedule.Finished(target.Id);
                            slots.Release();
                        }
                    }, CancellationToken.None);
                    running.Add(probe);
                }
                running.RemoveWhere(t => t.IsCompleted);
                if (due.Count > 0) continue; // more may be due already

                var next = schedule.NextDueAt();
                var sleep = next is { } at ? at - clock.GetUtcNow() : MaxSleep;
                if (sleep <= TimeSpan.Zero) continue;
                if (sleep > MaxSleep) sleep = MaxSleep;
                await Task.WhenAny(changed, Task.Delay(sleep, clock, ct));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        // Leadership ended: the probes in flight finish (each within its timeout) before another leader may start.
        await Task.WhenAll(running);
    }
}
