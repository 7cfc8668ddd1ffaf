using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Heartbeat.IntegrationTests.Platform;

public sealed record ReceivedWebhook(DateTimeOffset ReceivedAt, string Body, string? Signature, string? WebhookId)
{
    private JsonElement Json => JsonDocument.Parse(Body).RootElement;
    /// <summary>The whole body, for fleet-wide notifications (digests, platform incidents), which name no machine.</summary>
    public JsonElement Payload => Json;
    public string Event => Json.GetProperty("event").GetString()!;
    public Guid MachineId => Json.TryGetProperty("machine", out var machine) ? machine.GetProperty("id").GetGuid() : Guid.Empty;
    public Guid EpisodeId => Json.GetProperty("episode_id").GetGuid();
    public JsonElement Machine => Json.GetProperty("machine");
    public DateTimeOffset OccurredAt => Json.GetProperty("occurred_at").GetDateTimeOffset();
}

/// <summary>A real HTTP endpoint that records every webhook the notifier posts, so tests can wait for one.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private WebApplication? _app;

    public Uri Url { get; private set; } = null!;

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hooks", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            _received.Enqueue(new ReceivedWebhook(DateTimeOffset.UtcNow, body,
                request.Headers["X-Webhook-Signature"].FirstOrDefault(), request.Headers["X-Webhook-Id"].FirstOrDefault()));
            _arrived.Release();
            return Results.Ok();
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Url = new Uri(new Uri(address), "/hooks");
    }

    public IReadOnlyList<ReceivedWebhook> For(Guid machineId) => _received.Where(w => w.MachineId == machineId).ToList();

    /// <summary>Every webhook of this event (a fleet-wide one names no machine).</summary>
    public IReadOnlyList<ReceivedWebhook> OfEvent(string @event) => _received.Where(w => w.Event == @event).ToList();

    /// <summary>Waits until <paramref name="count"/> webhooks match, failing with the events that did arrive.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitForAsync(Func<ReceivedWebhook, bool> match, string what, TimeSpan timeout, int count = 1)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var found = _received.Where(match).ToList();
            if (found.Count >= count) return found;
            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"Only {found.Count} of {count} {what} within {timeout}; got events: [{string.Join(", ", _received.Select(w => w.Event).Distinct())}]");
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Waits until a webhook for the machine and event has arrived, failing with what did arrive.</summary>
    public async Task<ReceivedWebhook> WaitForAsync(Guid machineId, string @event, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            if (For(machineId).FirstOrDefault(w => w.Event == @event) is { } found) return found;
            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"No {@event} webhook for machine {machineId} within {timeout}; got: [{string.Join(", ", For(machineId).Select(w => w.Event))}]");
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
