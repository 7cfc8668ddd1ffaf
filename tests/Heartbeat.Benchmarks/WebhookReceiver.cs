using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Heartbeat.Benchmarks;

/// <summary>
/// Receives the notifier's webhooks on 127.0.0.1:7198 and records when the first one of each (machine, event)
/// arrived; it checks nothing else (signatures are the integration tests' business).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public const int Port = 7198;
    private readonly ConcurrentDictionary<(Guid Machine, string Event), DateTimeOffset> _first = new();
    private int _duplicates;
    private readonly ConcurrentDictionary<(Guid Episode, string Event), DateTimeOffset> _byEpisode = new();
    private int _episodeDuplicates;
    private WebApplication? _app;

    public Uri Url => new($"http://127.0.0.1:{Port}/hooks");
    public int Duplicates => _duplicates;

    /// <summary>The same (episode, event) received more than once: a real duplicate delivery.</summary>
    public int EpisodeDuplicates => _episodeDuplicates;

    public DateTimeOffset? FirstAtEpisode(Guid episode, string kind) => _byEpisode.TryGetValue((episode, kind), out var at) ? at : null;

    public async Task StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/hooks", async (HttpRequest request) =>
        {
            var at = DateTimeOffset.UtcNow;
            using var json = await JsonDocument.ParseAsync(request.Body);
            var kind = json.RootElement.GetProperty("event").GetString() ?? "";
            var machine = json.RootElement.GetProperty("machine").GetProperty("id").GetGuid();
            if (!_first.TryAdd((machine, kind), at)) Interlocked.Increment(ref _duplicates);
            if (json.RootElement.TryGetProperty("episode_id", out var episode) && !_byEpisode.TryAdd((episode.GetGuid(), kind), at))
                Interlocked.Increment(ref _episodeDuplicates);
            return Results.NoContent();
        });
        await _app.StartAsync(ct);
    }

    public DateTimeOffset? FirstAt(Guid machine, string kind) => _first.TryGetValue((machine, kind), out var at) ? at : null;

    public int Count(string kind) => _first.Keys.Count(k => k.Event == kind);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
