using Heartbeat.Contracts.Messages;
using Heartbeat.Notifier.Channels;
using Heartbeat.ServiceDefaults;
using Marten;
using MassTransit;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>A machine's transition as the notifier needs it: which episode, which kind, and the body every channel receives.</summary>
public sealed record Transition(string Kind, Guid MachineId, Guid EpisodeId, byte[] Body)
{
    public const string Offline = "offline";
    public const string Online = "online";

    public static Transition Of(MachineWentOffline offline) => new(Offline, offline.Machine.Id, offline.EpisodeId, WebhookBody.For(offline));
    public static Transition Of(MachineWentOnline online) => new(Online, online.Machine.Id, online.EpisodeId, WebhookBody.For(online));
}

/// <summary>
/// Sends one transition to every channel, once. Each (episode, channel, kind) has one delivery document:
/// settled ones are skipped, so a redelivered message sends nothing twice. Channels are served in parallel, so a
/// slow receiver does not hold up the others. Transient failures are recorded and then thrown, so that the message
/// is retried later; channels delivered meanwhile are skipped on the retry.
/// </summary>
public sealed class DeliverTransition(IDocumentStore store, WebhookSender sender, TimeProvider time, ILogger<DeliverTransition> logger)
{
    /// <summary>Message retries after the first attempt, about a minute in all (see <see cref="ConfigureRetry"/>).</summary>
    public const int MessageRetries = 5;

    /// <summary>
    /// Transitions handled at once per queue. A message waiting out its retries keeps its slot, so this is well
    /// above the default (2 × cores): one dead receiver must not hold back the next machine's transition.
    /// </summary>
    public const int ConcurrentTransitions = 32;

    public static void ConfigureRetry(IRetryConfigurator retry) =>
        // ~4 s, 6 s, 10 s, 18 s, 30 s (with jitter): about a minute after the HttpClient's own quick retries.
        retry.Exponential(MessageRetries, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2));

    public async Task HandleAsync(Transition transition, int retryAttempt, CancellationToken ct)
    {
        using var activity = HeartbeatTelemetry.Source.StartActivity("deliver transition");
        activity?.SetTag("heartbeat.machine_id", transition.MachineId);
        activity?.SetTag("heartbeat.episode_id", transition.EpisodeId);
        activity?.SetTag("heartbeat.transition", transition.Kind);

        IReadOnlyList<Channel> channels;
        await using (var query = store.QuerySession())
            channels = await query.Query<Channel>().OrderBy(c => c.CreatedAt).ToListAsync(ct);

        var lastAttempt = retryAttempt >= MessageRetries;
        var outcomes = await Task.WhenAll(channels.Select(channel => DeliverToAsync(channel, transition, lastAttempt, ct)));

        var stillFailing = channels.Zip(outcomes)
            .Where(c => c.Second?.Result == SendResult.TransientFailure)
            .Select(c => $"{c.First}: {c.Second!.Error}")
            .ToList();
        if (stillFailing.Count > 0)
            throw new WebhookDeliveryException(transition, stillFailing);
    }

    /// <summary>Sends to one channel unless its delivery is settled; null when nothing was sent.</summary>
    private async Task<SendOutcome?> DeliverToAsync(Channel channel, Transition transition, bool lastAttempt, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var id = Delivery.IdFor(transition.EpisodeId, channel.Id, transition.Kind);
        var delivery = await session.LoadAsync<Delivery>(id, ct);
        if (delivery is { IsSettled: true })
        {
            logger.LogDebug("Delivery {DeliveryId} is already {Status}; not sending again", id, delivery.Status);
            return null;
        }

        // Record the attempt before sending. A new delivery is inserted (a racing consumer fails on the
        // duplicate id) and an existing one is checked against its version.
        var now = time.GetUtcNow();
        if (delivery is null)
        {
            delivery = Delivery.Start(transition, channel.Id, now);
            delivery.RecordAttempt(now);
            session.Insert(delivery);
        }
        else
        {
            delivery.RecordAttempt(now);
            session.Update(delivery);
        }
        await session.SaveChangesAsync(ct);

        var outcome = await sender.SendAsync(channel, id, transition.Body, ct);
        delivery.Record(outcome, time.GetUtcNow(), lastAttempt);
        session.Update(delivery);
        await session.SaveChangesAsync(ct);

        switch (outcome.Result)
        {
            case SendResult.Delivered:
                logger.LogInformation("Delivered machine {MachineId} {Kind} (episode {EpisodeId}) to {Channel} on attempt {Attempts}",
                    transition.MachineId, transition.Kind, transition.EpisodeId, channel, delivery.Attempts);
                break;
            case SendResult.PermanentFailure:
                logger.LogWarning("Delivery {DeliveryId} to {Channel} failed for good: {Error}", id, channel, outcome.Error);
                break;
            default:
                logger.LogWarning("Delivery {DeliveryId} to {Channel} failed on attempt {Attempts}{GaveUp}: {Error}",
                    id, channel, delivery.Attempts, lastAttempt ? ", giving up" : ", will retry", outcome.Error);
                break;
        }
        return outcome;
    }
}

/// <summary>Thrown so that MassTransit retries the message; names the channels (never their secrets) still failing.</summary>
public sealed class WebhookDeliveryException(Transition transition, IReadOnlyList<string> failures)
    : Exception($"Machine {transition.MachineId} {transition.Kind} (episode {transition.EpisodeId}) could not yet be delivered to {failures.Count} channel(s): {string.Join("; ", failures)}");
