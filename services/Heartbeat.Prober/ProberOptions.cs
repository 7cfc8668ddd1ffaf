using System.ComponentModel.DataAnnotations;
using Heartbeat.ServiceDefaults;

namespace Heartbeat.Prober;

public sealed class ProberOptions
{
    /// <summary>Probes running at once at most; the rest wait their turn (and run late rather than all at once).</summary>
    [Range(1, 10_000)] public int MaxParallelProbes { get; set; } = 256;

    /// <summary>Probe results committed in one transaction at most (successes become one HeartbeatsReceived event).</summary>
    [Range(1, 10_000)] public int MaxBatchSize { get; set; } = 1_000;

    /// <summary>How often a standby asks for the prober lock, and the leader checks that it still holds it.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")] public TimeSpan LockCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>From the <c>Prober</c> section; the duration also as <c>2s</c> (see <see cref="Durations"/>).</summary>
    public static void Bind(ProberOptions o, IConfiguration configuration)
    {
        o.MaxParallelProbes = configuration.GetValue("Prober:MaxParallelProbes", o.MaxParallelProbes);
        o.MaxBatchSize = configuration.GetValue("Prober:MaxBatchSize", o.MaxBatchSize);
        o.LockCheckInterval = Durations.Read(configuration, o.LockCheckInterval, "Prober:LockCheckInterval");
    }
}
