using Heartbeat.Contracts.Http;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// One transition sent to one channel. The id is deterministic, <c>episode:channel:kind</c>, so a redelivered
/// message or a restarted notifier finds the earlier delivery and does not send again.
/// </summary>
public sealed class Delivery
{
    public string Id { get; set; } = "";
    public Guid ChannelId { get; set; }
    public Guid MachineId { get; set; }
    public Guid EpisodeId { get; set; }
    public string Kind { get; set; } = "";
    public string Status { get; set; } = DeliveryStatus.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public string? LastError { get; set; }

    /// <summary>Marten's optimistic-concurrency version: two consumers racing on one delivery cannot both record it.</summary>
    public Guid Version { get; set; }

    public static string IdFor(Guid episodeId, Guid channelId, string kind) => $"{episodeId}:{channelId}:{kind}";

    /// <summary>Delivered, or failed for good: nothing more is sent for it.</summary>
    public bool IsSettled => Status is DeliveryStatus.Delivered or DeliveryStatus.Failed;

    public static Delivery Start(Transition transition, Guid channelId, DateTimeOffset now) => new()
    {
        Id = IdFor(transition.EpisodeId, channelId, transition.Kind),
        ChannelId = channelId,
        MachineId = transition.MachineId,
        EpisodeId = transition.EpisodeId,
        Kind = transition.Kind,
        Status = DeliveryStatus.Pending,
        CreatedAt = now,
    };

    public void RecordAttempt(DateTimeOffset now)
    {
        Status = DeliveryStatus.Pending;
        Attempts++;
        LastAttemptAt = now;
    }

    public void Record(SendOutcome outcome, DateTimeOffset now, bool lastAttempt)
    {
        switch (outcome.Result)
        {
            case SendResult.Delivered:
                Status = DeliveryStatus.Delivered;
                DeliveredAt = now;
                LastError = null;
                break;
            case SendResult.PermanentFailure:
                Status = DeliveryStatus.Failed;
                LastError = outcome.Error;
                break;
            default:
                Status = lastAttempt ? DeliveryStatus.Failed : DeliveryStatus.Pending;
                LastError = lastAttempt ? $"Gave up after {Attempts} attempts: {outcome.Error}" : outcome.Error;
                break;
        }
    }

    public DeliveryView ToView() => new(Id, ChannelId, MachineId, EpisodeId, Kind, Status, Attempts, CreatedAt, DeliveredAt, LastError);
}

public static class DeliveryStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}
