using MassTransit;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// The endpoint of each transition consumer: a queue of the notifier's own (notifier-machine-went-offline,
/// notifier-machine-went-online), on which every notifier instance competes and which no other service shares.
/// Consuming only queues rows for the next shared insert (<see cref="RecordTransition"/>), so many messages are taken
/// at once: the more wait for one commit, the fewer commits ten thousand transitions take. Sending happens in the dispatcher.
/// Batches alternate (one commits while the next gathers), so a batch holds about half the limit: 1,024 gives batches of
/// ~500, where 256 gave ~128 and kept ten thousand transitions waiting in the queue (docs/benchmarks.md).
/// </summary>
public sealed class TransitionConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer>
    where TConsumer : class, IConsumer
{
    public const int ConcurrentMessages = 1024;

    public TransitionConsumerDefinition() => Endpoint(e =>
    {
        e.Name = "notifier-" + KebabCaseEndpointNameFormatter.Instance.Consumer<TConsumer>();
        e.PrefetchCount = ConcurrentMessages * 2;
        e.ConcurrentMessageLimit = ConcurrentMessages;
    });

    /// <summary>Only PostgreSQL being away fails a message: retry it for about a minute before it goes to the error queue.</summary>
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<TConsumer> consumer, IRegistrationContext context) =>
        endpoint.UseMessageRetry(r => r.Exponential(6, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)));
}
