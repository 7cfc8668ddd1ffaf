using System.Collections.Concurrent;
using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Senders;
using Heartbeat.ServiceDefaults;
using Marten;
using Microsoft.Extensions.Options;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// Sends due deliveries, in every notifier replica. It claims what it has free slots for (at most
/// <see cref="DeliveryOptions.MaxConcurrentSendsPerChannel"/> per channel, so a slow channel cannot take every slot),
/// sends each independently and records the outcomes as they come, many per round trip. A dead channel's deliveries
/// fail and are scheduled for later; nothing else waits for them. Once a channel has failed a few times in a row its
/// circuit opens (<see cref="ChannelCircuits"/>): its deliveries wait and one at a time is tried, until one gets through.
/// Woken by new rows and finished sends; otherwise it polls.
/// </summary>
public sealed class DeliveryDispatcher(
    DeliveryRows rows,
    IDocumentStore store,
    ChannelSecrets secrets,
    ChannelSender sender,
    DispatchSignal signal,
    TimeProvider time,
    IOptions<NotifierOptions> options,
    ILogger<DeliveryDispatcher> logger) : BackgroundService
{
    private const int MaxRecordBatch = 256;

    private readonly GroupCommit<RecordedAttempt> _outcomes = new(rows.RecordAsync, MaxRecordBatch);
    private readonly ConcurrentDictionary<Task, bool> _sends = new();
    private readonly ConcurrentDictionary<Guid, int> _perChannel = new();

    /// <summary>Sends holding a slot (see <see cref="SendSlot"/>); <c>_sends</c> also holds those whose outcome is still being recorded.</summary>
    private int _inFlight;
    private readonly ChannelCircuits _circuits = new(options.Value.Delivery);

    /// <summary>Sends finished since the last claim: they wake the loop once there are enough to be worth a claim (<see cref="ClaimWhenFree"/>).</summary>
    private int _finishedSinceClaim;

    /// <summary>
    /// Claim when a quarter of the slots is free (or all of them): one claim per finished send would cost a query per
    /// delivery; a few claims per full round of slots cost almost nothing and keep the slots busy.
    /// </summary>
    private int ClaimWhenFree => Math.Max(1, options.Value.Delivery.MaxConcurrentSends / 4);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Delivery;
        var recording = _outcomes.RunAsync();
        var claimWhenFree = ClaimWhenFree;
        while (!stoppingToken.IsCancellationRequested)
        {
            var claimedAll = false;
            try
            {
                var free = settings.MaxConcurrentSends - Volatile.Read(ref _inFlight);
                if (free >= claimWhenFree || (free > 0 && Volatile.Read(ref _inFlight) == 0))
                {
                    var now = time.GetUtcNow();
                    var limits = Limits(settings, now);
                    Interlocked.Exchange(ref _finishedSinceClaim, 0);
                    var claimed = await rows.ClaimAsync(free, settings.MaxConcurrentSendsPerChannel, limits, now, now + settings.Lease, stoppingToken);
                    foreach (var channel in claimed.Select(c => c.ChannelId).Distinct()) _circuits.Claimed(channel);
                    if (claimed.Count > 0) await StartAsync(claimed);
                    claimedAll = claimed.Count == free;
                }
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL away: nothing is lost (the rows wait), try again after the poll interval.
                logger.LogWarning(e, "Claiming due deliveries failed; trying again in {PollInterval}", settings.PollInterval);
            }
            // With too few slots free, finished sends wake the loop; otherwise new rows or the poll do. Slots can be free
            // and still not be claimable (the per-channel limit, an open circuit): finished sends wake it a quarter of the
            // slots at a time all the same, not once per send (which measured ~9 rows a claim, 1,400 claims a burst).
            if (!claimedAll || settings.MaxConcurrentSends - Volatile.Read(ref _inFlight) < claimWhenFree)
                await signal.WaitAsync(settings.PollInterval, stoppingToken);
        }
        // Let sends under way finish and be recorded, so a graceful stop repeats nothing.
        await Task.WhenAll(_sends.Keys).WaitAsync(settings.AttemptTimeout * 2, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        _outcomes.Complete();
        await recording;
    }

    /// <summary>How many more deliveries a claim may take per channel, where that is not the per-channel limit: what this replica is not sending to it already, and for a channel whose circuit is open one probe or none.</summary>
    private Dictionary<Guid, int> Limits(DeliveryOptions settings, DateTimeOffset now)
    {
        var limits = _perChannel.Where(c => c.Value > 0).ToDictionary(c => c.Key, c => settings.MaxConcurrentSendsPerChannel - c.Value);
        foreach (var (channel, probe) in _circuits.Limits(now))
            limits[channel] = Math.Min(probe, limits.GetValueOrDefault(channel, settings.MaxConcurrentSendsPerChannel));
        return limits;
    }

    private async Task StartAsync(IReadOnlyList<ClaimedDelivery> claimed)
    {
        IReadOnlyList<Channel> channels;
        await using (var session = store.QuerySession())
            channels = await session.LoadManyAsync<Channel>(CancellationToken.None, claimed.Select(c => c.ChannelId).Distinct());
        var byId = channels.ToDictionary(c => c.Id);

        foreach (var delivery in claimed)
        {
            Interlocked.Increment(ref _inFlight);
            _perChannel.AddOrUpdate(delivery.ChannelId, 1, (_, n) => n + 1);
            var slot = new SendSlot(this, delivery.ChannelId);
            var send = SendAsync(delivery, byId.GetValueOrDefault(delivery.ChannelId), slot);
            _sends[send] = true;
            _ = send.ContinueWith(t =>
            {
                _sends.TryRemove(t, out _);
                slot.Release();
            }, TaskScheduler.Default);
        }
    }

    private void Release(Guid channel)
    {
        _perChannel.AddOrUpdate(channel, 0, (_, n) => n - 1);
        var inFlight = Interlocked.Decrement(ref _inFlight);
        if (Interlocked.Increment(ref _finishedSinceClaim) >= ClaimWhenFree || inFlight == 0) signal.Wake();
    }

    /// <summary>
    /// A send's hold on one of the replica's slots and one of its channel's. Given back as soon as the outcome is known
    /// and queued for recording, not once the record is committed: the slots bound what is sent at once, and holding
    /// them through the recorder's commit capped a channel at its slots per commit time (~300 deliveries/s while a
    /// burst of transitions was being recorded). The row stays leased until its outcome is committed, so no claim
    /// takes it again meanwhile. Released once, whichever comes first (the outcome, or the send ending otherwise).
    /// </summary>
    private sealed class SendSlot(DeliveryDispatcher dispatcher, Guid channel)
    {
        private int _released;

        public void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) dispatcher.Release(channel);
        }
    }

    private async Task SendAsync(ClaimedDelivery delivery, Channel? channel, SendSlot slot)
    {
        await Task.Yield();
        try
        {
            if (channel is null)
            {
                _circuits.Forget(delivery.ChannelId);
                await rows.CancelAsync(delivery, "The channel was deleted.", CancellationToken.None);
                return;
            }

            // Continues the transition's trace (stored with the row), so the outgoing request carries its traceparent.
            using var activity = HeartbeatTelemetry.Source.StartActivity("deliver", System.Diagnostics.ActivityKind.Internal,
                HeartbeatTelemetry.ContextOf(delivery.TraceParent));
            activity?.SetTag("heartbeat.delivery_id", delivery.Id);
            activity?.SetTag("heartbeat.machine_id", delivery.Notification.Machine.Id);
            activity?.SetTag("heartbeat.machine_name", delivery.Notification.Machine.Name);
            activity?.SetTag("heartbeat.episode_id", delivery.Notification.EpisodeId);
            activity?.SetTag("heartbeat.channel_type", channel.Type);
            activity?.SetTag("heartbeat.attempt", delivery.Attempt);

            // Not cancelled by a stop: a send is bounded by the attempt timeout, and one finished and recorded is not
            // repeated after the restart.
            var outcome = await sender.SendAsync(secrets.Open(channel), delivery.Outgoing, CancellationToken.None);
            var now = time.GetUtcNow();
            var decision = RetrySchedule.Decide(outcome, delivery.Attempt, options.Value.Delivery, now, Random.Shared.NextDouble());
            var fallback = decision.FailedForGood && channel.FallbackChannelId is { } f && delivery.Fallback is null ? (f, channel.Name) : ((Guid, string)?)null;
            // Recorded even while stopping: the send happened, and forgetting it would repeat it. Queued here, committed
            // with others; the channel's circuit learns the outcome before the slot is given back to the next claim.
            var recorded = _outcomes.SubmitAsync(new RecordedAttempt(delivery, outcome, decision, now, fallback));
            var change = Observe(delivery, channel, outcome, decision, now);
            slot.Release();
            await recorded;
            activity?.SetTag("heartbeat.outcome", decision.Status);
            var type = new KeyValuePair<string, object?>("channel_type", channel.Type);
            HeartbeatTelemetry.Notifications.Add(1, type, new("outcome", decision.Status));
            if (decision.Status == DeliveryStatus.Delivered)
                HeartbeatTelemetry.DeliveryLatency.Record((now - delivery.Notification.OccurredAt).TotalSeconds, type);
            if (change == ChannelChange.ProbeFailed)
                await ExpireAsync(channel, outcome, now);
        }
        catch (Exception e)
        {
            _circuits.Abandoned(delivery.ChannelId);
            logger.LogError(e, "Delivery {DeliveryId} could not be sent or recorded; it is retried when its lease ends", delivery.Id);
        }
    }

    /// <summary>
    /// A channel whose circuit is open and whose probe failed again: its deliveries older than the retry schedule lasts
    /// fail for good now (and go to its fallback), as they would have had each been tried until its attempts ran out.
    /// </summary>
    private async Task ExpireAsync(Channel channel, SendOutcome outcome, DateTimeOffset now)
    {
        if (_circuits.OpenedAt(channel.Id) is not { } since) return;
        int expired;
        try
        {
            expired = await rows.ExpireAsync(channel.Id, now, now - RetrySchedule.Span(options.Value.Delivery), since, outcome.Error ?? "failed",
                channel.FallbackChannelId is { } f ? (f, channel.Name) : null, CancellationToken.None);
        }
        catch (Exception e)
        {
            // PostgreSQL away: the next failed probe tries again.
            logger.LogWarning(e, "Failing the expired deliveries of {Channel} did not work; trying again after its next probe", channel);
            return;
        }
        if (expired > 0)
            logger.LogWarning("{Count} deliveries to {Channel} failed for good: the channel has been failing since {Since:O}, longer than their retries last{Fallback}",
                expired, channel, since, channel.FallbackChannelId is { } fb ? $"; falling back to channel {fb}" : "");
    }

    /// <summary>
    /// Each attempt at debug level (the delivery log keeps them all); a channel's failure streak once when it starts,
    /// once when its circuit opens and once when it ends (<see cref="ChannelCircuits"/>); every delivery that failed for
    /// good, since it is a notification nobody got on that channel.
    /// </summary>
    private ChannelChange Observe(ClaimedDelivery delivery, Channel channel, SendOutcome outcome, AttemptDecision decision, DateTimeOffset now)
    {
        var delivered = decision.Status == DeliveryStatus.Delivered;
        if (delivered)
            logger.LogDebug("Delivered {DeliveryId} to {Channel} on attempt {Attempt}", delivery.Id, channel, delivery.Attempt);
        else if (decision.FailedForGood)
            logger.LogWarning("Delivery {DeliveryId} to {Channel} failed for good on attempt {Attempt}: {Error}{Fallback}",
                delivery.Id, channel, delivery.Attempt, decision.Error,
                channel.FallbackChannelId is { } f && delivery.Fallback is null ? $"; falling back to channel {f}" : "");
        else
            logger.LogDebug("Delivery {DeliveryId} to {Channel} failed on attempt {Attempt} ({Error}); next attempt at {NextAttemptAt:O}",
                delivery.Id, channel, delivery.Attempt, outcome.Error, decision.NextAttemptAt);

        var change = _circuits.Observe(channel.Id, outcome, now, Random.Shared.NextDouble(), out var failedMeanwhile);
        switch (change)
        {
            case ChannelChange.StartedFailing:
                logger.LogWarning("Channel {Channel} is failing ({Error}); its deliveries are retried on their schedules, and each attempt is in the delivery log",
                    channel, outcome.Error);
                break;
            case ChannelChange.Opened:
                logger.LogWarning("Channel {Channel} failed {Failures} times in a row ({Error}): its deliveries wait, and one at a time is tried, next at {ProbeAt:O}",
                    channel, ChannelCircuits.OpenAfter, outcome.Error, _circuits.ProbeAt(channel.Id));
                break;
            case ChannelChange.DeliversAgain:
                logger.LogInformation("Channel {Channel} delivers again, after {FailedAttempts} failed attempts", channel, failedMeanwhile);
                break;
        }
        return change;
    }
}
