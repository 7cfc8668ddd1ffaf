using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Heartbeat.IntegrationTests.Notifications;

/// <summary>One POST a fake received, with what it answered.</summary>
public sealed record ReceivedRequest(DateTimeOffset ReceivedAt, string Path, IReadOnlyDictionary<string, string> Headers, string Body, int AnsweredStatus)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
    public bool Mentions(string text) => Body.Contains(text, StringComparison.Ordinal);
    public bool Accepted => AnsweredStatus is >= 200 and < 300;
}

/// <summary>
/// A real HTTP server on loopback that records every POST and answers as <see cref="Respond"/> says: a webhook
/// receiver, a Slack incoming webhook or the Telegram Bot API, as the test sets it up.
/// </summary>
public sealed class FakeReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private WebApplication? _app;

    /// <summary>Decides the answer: a status code, extra headers and a body. Default: 200 with an empty JSON object.</summary>
    public Func<ReceivedRequest, (int Status, IReadOnlyDictionary<string, string>? Headers, string? Body)> Respond { get; set; } = _ => (200, null, "{}");

    public Uri BaseUrl { get; private set; } = null!;
    public Uri Url(string path) => new(BaseUrl, path);

    public static async Task<FakeReceiver> StartAsync()
    {
        var fake = new FakeReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        fake._app = builder.Build();
        fake._app.MapPost("/{**path}", async (HttpRequest request, HttpResponse response) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            var received = new ReceivedRequest(DateTimeOffset.UtcNow, request.Path, headers, body, 0);
            var (status, extra, answer) = fake.Respond(received);
            fake._received.Enqueue(received with { AnsweredStatus = status });
            fake._arrived.Release();
            response.StatusCode = status;
            foreach (var (name, value) in extra ?? new Dictionary<string, string>()) response.Headers[name] = value;
            if (answer is not null)
            {
                response.ContentType = "application/json";
                await response.WriteAsync(answer);
            }
        });
        await fake._app.StartAsync();
        var address = fake._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    public IReadOnlyList<ReceivedRequest> Received => _received.ToList();

    public IReadOnlyList<ReceivedRequest> Where(Func<ReceivedRequest, bool> match) => _received.Where(match).ToList();

    /// <summary>Waits until <paramref name="count"/> requests match, failing with what did arrive.</summary>
    public async Task<IReadOnlyList<ReceivedRequest>> WaitForAsync(Func<ReceivedRequest, bool> match, string what, TimeSpan timeout, int count = 1)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var found = Where(match);
            if (found.Count >= count) return found;
            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"Within {timeout.TotalSeconds:0} s, expected {count} × {what}; got {found.Count} of {_received.Count} requests in all.");
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
