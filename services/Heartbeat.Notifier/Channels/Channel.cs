using Heartbeat.Contracts.Http;

namespace Heartbeat.Notifier.Channels;

/// <summary>Where notifications go. The secret signs webhook bodies and never leaves this service.</summary>
public sealed class Channel
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Type { get; set; } = ChannelTypes.Webhook;
    public string Url { get; set; } = "";
    public string Secret { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    public ChannelView ToView() => new(Id, Name, Type, Url, CreatedAt);

    /// <summary>Never the secret: channels appear in logs and exception messages by this.</summary>
    public override string ToString() => $"{Type} channel {Id} ({Name})";
}

public static class ChannelTypes
{
    public const string Webhook = "webhook";
}
