using Heartbeat.Detector.Tracking;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Microsoft.Extensions.Options;
using Events = Heartbeat.Contracts.Events;
using Messages = Heartbeat.Contracts.Messages;

namespace Heartbeat.Detector.Publishing;

/// <summary>
/// Publishes stored transitions to RabbitMQ, never by a dual write: the daemon hands this subscription
/// the committed events and records its progress only once the page is published. While RabbitMQ is
/// down it keeps retrying the same page, so transitions go out late rather than never. MessageId is the
/// stored event's id, so a consumer can drop a redelivery.
/// </summary>
public sealed class TransitionPublisher : SubscriptionBase
{
    private readonly IBus _bus;
    private readonly Fleet _fleet;
    private readonly ILogger<TransitionPublisher> _logger;
    private readonly TimeSpan _defaultInterval;

    public TransitionPublisher(IBus bus, Fleet fleet, IOptions<DetectorOptions> options, ILogger<TransitionPublisher> logger)
    {
        _bus = bus;
        _fleet = fleet;
        _logger = logger;
        _defaultInterval = options.Value.ExpectedInterval;
        Name = "TransitionPublisher";
        IncludeType<Events.MachineWentOffline>();
        IncludeType<Events.MachineWentOnline>();
        IncludeType<Events.MachineReportedWarning>();
        IncludeType<Events.MachineWarningCleared>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        await _fleet.Loaded.WaitAsync(ct);
        // Who depends on whom, once a page and only when it holds an offline (see Dependents).
        var byParent = page.Events.Any(e => e.Data is Events.MachineWentOffline) ? Dependents.ByParent(_fleet.Snapshot()) : null;
        // Machines are independent, so their transitions go out in parallel (ten thousand machines going
        // dark at once must not wait in one line); one machine's own transitions keep their order.
        await Task.WhenAll(page.Events
            .GroupBy(e => e.StreamId)
            .Select(async machine =>
            {
                foreach (var e in machine)
                    if (ToMessage(e.Data, byParent) is { } message)
                    {
                        // Published inside the transition's trace, so MassTransit carries it to the notifier.
                        using var activity = StartTrace(e.Data);
                        await PublishUntilSentAsync(_bus, _logger, message, e.Id, ct);
                    }
            }));
        return NullChangeListener.Instance;
    }

    private static System.Diagnostics.Activity? StartTrace(object data)
    {
        var (traceParent, kind, machine, episode) = data switch
        {
            Events.MachineWentOffline off => (off.TraceParent, "offline", off.MachineId, off.EpisodeId),
            Events.MachineWentOnline on => (on.TraceParent, "online", on.MachineId, on.EpisodeId),
            _ => (null, "", Guid.Empty, Guid.Empty),
        };
        var activity = Heartbeat.ServiceDefaults.HeartbeatTelemetry.Source.StartActivity("publish transition", System.Diagnostics.ActivityKind.Producer,
            Heartbeat.ServiceDefaults.HeartbeatTelemetry.ContextOf(traceParent));
        activity?.SetTag("heartbeat.transition", kind);
        activity?.SetTag("heartbeat.machine_id", machine);
        activity?.SetTag("heartbeat.episode_id", episode);
        return activity;
    }

    private object? ToMessage(object data, ILookup<Guid, TrackedMachine>? byParent) => data switch
    {
        Events.MachineWentOffline off => new Messages.MachineWentOffline
        {
            Machine = Snapshot(off.MachineId), EpisodeId = off.EpisodeId, LastSeenAt = off.LastSeenAt,
            DetectedAt = off.DetectedAt, Threshold = off.Threshold, DetectedLate = off.DetectedLate,
            DependentsUnreachable = byParent is null ? null : Dependents.Unreachable(off.MachineId, byParent, off.DetectedAt, _defaultInterval) is > 0 and var n ? n : null,
        },
        Events.MachineReportedWarning w => new Messages.MachineReportedWarning
        {
            Machine = Snapshot(w.MachineId), WarningId = w.WarningId, ReportedAt = w.ReportedAt, Message = w.Message,
        },
        Events.MachineWarningCleared c => new Messages.MachineWarningCleared
        {
            Machine = Snapshot(c.MachineId), WarningId = c.WarningId, ClearedAt = c.ClearedAt, Message = c.Message,
        },
        Events.MachineWentOnline on => new Messages.MachineWentOnline
        {
            Machine = Snapshot(on.MachineId), EpisodeId = on.EpisodeId, OfflineSince = on.OfflineSince,
            CameBackAt = on.CameBackAt, Downtime = on.Downtime, DetectedLate = on.DetectedLate,
        },
        _ => null,
    };

    /// <summary>Publishes until RabbitMQ takes it (backing off to 10 s), so a broker outage delays messages but never drops one.</summary>
    internal static async Task PublishUntilSentAsync(IBus bus, ILogger logger, object message, Guid eventId, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                await bus.Publish(message, message.GetType(), c => c.MessageId = eventId, timeout.Token);
                return;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning("Publishing {MessageType} {EventId} failed (attempt {Attempt}): {Error}; retrying in {Delay}",
                    message.GetType().Name, eventId, attempt, e.Message, delay);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 10_000));
            }
        }
    }

    private Messages.MachineSnapshot Snapshot(Guid machineId) => _fleet.Find(machineId) is { } m
        ? new Messages.MachineSnapshot
        {
            Id = m.Id, Name = m.Name, Hostname = m.Hostname, Description = m.Description, Tags = m.Tags, DependsOn = m.DependsOn, Paused = m.Paused,
        }
        : new Messages.MachineSnapshot { Id = machineId, Name = machineId.ToString() };
}
