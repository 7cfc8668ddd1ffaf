using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Heartbeat.ServiceDefaults;

/// <summary>
/// The platform's own activity source and meter. Every domain instrument is declared here, once, so that
/// docs/observability.md, the Grafana dashboards and the code name the same things. Names follow the
/// OpenTelemetry conventions (dotted, lower case, unit in the unit field); Prometheus sees them with
/// underscores and a unit suffix, e.g. <c>heartbeat.detection.delay</c> → <c>heartbeat_detection_delay_seconds</c>.
/// </summary>
public static class HeartbeatTelemetry
{
    public const string SourceName = "Heartbeat.Platform";
    public static readonly ActivitySource Source = new(SourceName);
    public static readonly Meter Meter = new(SourceName);

    // Trace context kept with stored facts (a heartbeat, a transition, a delivery) as W3C traceparent strings, so a
    // later, asynchronous step continues or links to the trace that caused it.

    /// <summary>The current span's traceparent while tracing records it; null otherwise (then nothing is stored).</summary>
    public static string? CurrentTraceParent() => Activity.Current is { Recorded: true } current ? current.Id : null;

    /// <summary>A stored traceparent as the context to continue; default (a new root) when there is none.</summary>
    public static ActivityContext ContextOf(string? traceParent) =>
        ActivityContext.TryParse(traceParent, null, out var context) ? context : default;

    /// <summary>Links to each stored traceparent there is: a span that serves many traces (a batch, a judgement).</summary>
    public static List<ActivityLink> LinksTo(IEnumerable<string?> traceParents) =>
        traceParents.Select(ContextOf).Where(c => c != default).Select(c => new ActivityLink(c)).ToList();

    // Ingest
    /// <summary>Heartbeats answered, by <c>outcome</c> (accepted, rejected) and <c>reason</c> for rejections.</summary>
    public static readonly Counter<long> HeartbeatsReceived =
        Meter.CreateCounter<long>("heartbeat.heartbeats.received", "{heartbeat}", "Heartbeats answered, by outcome and rejection reason.");
    public static readonly Histogram<int> GroupCommitSize =
        Meter.CreateHistogram<int>("heartbeat.group_commit.size", "{heartbeat}", "Heartbeats stored per group commit.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000] });
    public static readonly Histogram<double> GroupCommitDuration =
        Meter.CreateHistogram<double>("heartbeat.group_commit.duration", "s", "Time to commit one group of heartbeats.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    // Detector
    /// <summary>From a machine's deadline to its appended offline transition.</summary>
    public static readonly Histogram<double> DetectionDelay =
        Meter.CreateHistogram<double>("heartbeat.detection.delay", "s", "From a machine's deadline to its appended offline transition.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30] });
    public static readonly Counter<long> Transitions =
        Meter.CreateCounter<long>("heartbeat.transitions", "{transition}", "Offline and online transitions appended, by kind.");
    public static readonly Counter<long> IntakeInterruptions =
        Meter.CreateCounter<long>("heartbeat.intake.interruptions", "{interruption}", "Times the canary stopped reaching the store.");

    /// <summary>Machines by <c>status</c>, as the detector that holds the lead sees them; the detector supplies the counts.</summary>
    public static ObservableGauge<long> ObserveMachines(Func<IEnumerable<Measurement<long>>> counts) =>
        Meter.CreateObservableGauge("heartbeat.machines", counts, "{machine}", "Machines by status.");
    /// <summary>How far behind now the detector's knowledge of stored heartbeats is (0 when caught up); the leader supplies it.</summary>
    public static ObservableGauge<double> ObserveTrackerLag(Func<IEnumerable<Measurement<double>>> lag) =>
        Meter.CreateObservableGauge("heartbeat.tracker.lag", lag, "s", "How far the tracker is behind the newest stored heartbeat.");

    // Prober
    /// <summary>Probes run, by <c>type</c> (ssh, tcp, http) and <c>outcome</c> (success, failure).</summary>
    public static readonly Counter<long> Probes =
        Meter.CreateCounter<long>("heartbeat.probes", "{probe}", "Agentless probes run, by type and outcome.");
    public static readonly Histogram<double> ProbeDuration =
        Meter.CreateHistogram<double>("heartbeat.probe.duration", "s", "Time one probe took, by type.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });

    // Notifier
    public static readonly Counter<long> Notifications =
        Meter.CreateCounter<long>("heartbeat.notifications", "{notification}", "Delivery attempts, by channel type and outcome.");
    /// <summary>Deliveries waiting to be sent or retried, all replicas together; the notifier supplies the count.</summary>
    public static ObservableGauge<long> ObserveDeliveriesPending(Func<long> pending) =>
        Meter.CreateObservableGauge("heartbeat.delivery.pending", pending, "{delivery}", "Deliveries waiting to be sent or retried.");
    /// <summary>From the transition's time to the delivery's success.</summary>
    public static readonly Histogram<double> DeliveryLatency =
        Meter.CreateHistogram<double>("heartbeat.delivery.latency", "s", "From a transition to its delivery to a channel.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300] });
}
