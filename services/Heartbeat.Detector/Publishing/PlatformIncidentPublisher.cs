using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;
using MassTransit;
using Events = Heartbeat.Contracts.Events;
using Messages = Heartbeat.Contracts.Messages;

namespace Heartbeat.Detector.Publishing;

/// <summary>
/// Publishes the platform's own incidents (intake interrupted, intake restored) to RabbitMQ from the event store,
/// exactly as <see cref="TransitionPublisher"/> does for transitions: progress is recorded only once the page is
/// published, a broker outage delays them, and MessageId is the stored event's id. A subscription of its own, so
/// its progress and any retry are independent of the transitions'.
/// </summary>
public sealed class PlatformIncidentPublisher : SubscriptionBase
{
    private readonly IBus _bus;
    private readonly ILogger<PlatformIncidentPublisher> _logger;

    public PlatformIncidentPublisher(IBus bus, ILogger<PlatformIncidentPublisher> logger)
    {
        _bus = bus;
        _logger = logger;
        Name = "PlatformIncidentPublisher";
        IncludeType<Events.IntakeInterrupted>();
        IncludeType<Events.IntakeRestored>();
    }

    public override async Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        // Few and in order: an incident's start always goes out before its end.
        foreach (var e in page.Events)
            if (ToMessage(e.Data) is { } message)
                await TransitionPublisher.PublishUntilSentAsync(_bus, _logger, message, e.Id, ct);
        return NullChangeListener.Instance;
    }

    public static object? ToMessage(object data) => data switch
    {
        Events.IntakeInterrupted i => new Messages.PlatformIncidentStarted { IncidentId = i.IncidentId, Start = i.Start, Cause = i.Cause, DetectedAt = i.DetectedAt },
        Events.IntakeRestored r => new Messages.PlatformIncidentEnded { IncidentId = r.IncidentId, Start = r.Start, End = r.End, Duration = r.Duration, Cause = r.Cause },
        _ => null,
    };
}
