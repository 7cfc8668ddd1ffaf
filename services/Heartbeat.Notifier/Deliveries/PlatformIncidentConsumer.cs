using Heartbeat.Contracts.Messages;
using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Quiet;
using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// Platform incidents (heartbeat intake interrupted, then restored) become one delivery per channel for each of
/// start and end: id <c>{incident}:{channel}:incident.started</c> / <c>…:incident.ended</c>, so a redelivered or
/// duplicated message, on any replica, inserts nothing (exactly once per incident, channel and state). A channel whose
/// routing does not take <c>platform.incident</c> gets its row recorded as suppressed (reason <c>preference</c>). The end
/// waits for the start to that channel to be settled, as an online waits for its offline. Sent by the dispatcher.
/// An incident more than <see cref="TooOld"/> old when it arrives is history, not news (a first deployment of this
/// publisher reads every past interruption from the store): it is not recorded.
/// </summary>
public sealed class PlatformIncidentConsumer(
    NpgsqlDataSource database, IDocumentStore store, DispatchSignal signal, TimeProvider time, IOptions<NotifierOptions> options,
    ILogger<PlatformIncidentConsumer> logger) : IConsumer<PlatformIncidentStarted>, IConsumer<PlatformIncidentEnded>
{
    public static readonly TimeSpan TooOld = TimeSpan.FromDays(1);

    private const string Sql = """
        insert into notifier.deliveries (id, channel_id, machine_id, episode_id, kind, payload, status, attempts, created_at,
                                         next_attempt_at, hold_until, waits_for, reason)
        select format('%s:%s:%s', $1, c.id, $2), c.id, $3, $1, $2, $4,
               case when w.wants then 'pending' else 'suppressed' end, 0, $5,
               case when w.wants then $5 end,
               case when w.wants and $2 = 'incident.ended' then $6 end,
               case when w.wants and $2 = 'incident.ended' then format('%s:%s:incident.started', $1, c.id) end,
               case when not w.wants then 'preference' end
        from unnest($7::uuid[], $8::bool[]) as w(channel_id, wants)
        join notifier.mt_doc_channel c on c.id = w.channel_id
        on conflict (id) do nothing
        """;

    public Task Consume(ConsumeContext<PlatformIncidentStarted> context)
    {
        var m = context.Message;
        return RecordAsync(new IncidentNote(m.IncidentId, "started", m.Start, null, null, m.Cause, options.Value.DashboardUrl), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<PlatformIncidentEnded> context)
    {
        var m = context.Message;
        return RecordAsync(new IncidentNote(m.IncidentId, "ended", m.Start, m.End, m.Duration, m.Cause, options.Value.DashboardUrl), context.CancellationToken);
    }

    private async Task RecordAsync(IncidentNote incident, CancellationToken ct)
    {
        var notification = FleetNotices.Of(incident);
        var now = time.GetUtcNow();
        if (now - notification.OccurredAt > TooOld)
        {
            logger.LogInformation("Platform incident {IncidentId} {State} at {At:O} is older than {TooOld}: not notified", incident.IncidentId, incident.State, notification.OccurredAt, TooOld);
            return;
        }
        IReadOnlyList<Channel> channels;
        await using (var session = store.QuerySession())
            channels = await session.Query<Channel>().ToListAsync(ct);

        await using var command = database.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = incident.IncidentId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = notification.Kind });
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = FleetNotices.NoMachine });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = notification.ToJson(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now + options.Value.Delivery.OfflineWait });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = channels.Select(c => c.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = channels.Select(c => c.Route().Wants(NotificationEvents.PlatformIncident, machine: null)).ToArray() });
        if (await command.ExecuteNonQueryAsync(ct) > 0)
        {
            logger.LogInformation("Platform incident {IncidentId} {State}: notifying the channels that take platform.incident", incident.IncidentId, incident.State);
            signal.Wake();
        }
    }
}

/// <summary>The platform incident consumer's own queue (notifier-platform-incident), shared by every notifier replica.</summary>
public sealed class PlatformIncidentConsumerDefinition : ConsumerDefinition<PlatformIncidentConsumer>
{
    public PlatformIncidentConsumerDefinition() => Endpoint(e => e.Name = "notifier-platform-incident");

    /// <summary>Only PostgreSQL being away fails a message: retry it for about a minute before it goes to the error queue.</summary>
    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<PlatformIncidentConsumer> consumer, IRegistrationContext context) =>
        endpoint.UseMessageRetry(r => r.Exponential(6, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(2)));
}
