using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;

namespace Heartbeat.IntegrationTests.Dashboard;

/// <summary>One server-sent event as received: <see cref="Type"/> is null for a comment (a keep-alive).</summary>
public sealed record StreamEvent(string? Id, string? Type, string Data, DateTimeOffset ReceivedAt);

/// <summary>
/// A client of <c>GET /api/machines/stream</c> through the gateway that reads events in the background, so a test
/// can wait for the one it expects (bounded) instead of sleeping.
/// </summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly Channel<StreamEvent> _events = Channel.CreateUnbounded<StreamEvent>();
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http;
    private Task _reader = Task.CompletedTask;

    private EventStream(Uri gateway) => _http = new HttpClient { BaseAddress = gateway, Timeout = Timeout.InfiniteTimeSpan };

    public HttpResponseMessage Response { get; private set; } = null!;

    /// <summary>Set when the stream ended (cut by a proxy, the server stopping) rather than by the test.</summary>
    public Exception? Ended { get; private set; }

    public static async Task<EventStream> OpenAsync(Uri gateway, string key, string? lastEventId = null)
    {
        var stream = new EventStream(gateway);
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/machines/stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        stream.Response = await stream._http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (stream.Response.IsSuccessStatusCode) stream._reader = stream.ReadAsync();
        return stream;
    }

    private async Task ReadAsync()
    {
        try
        {
            using var reader = new StreamReader(await Response.Content.ReadAsStreamAsync(_stop.Token), Encoding.UTF8);
            string? id = null, type = null;
            var data = new StringBuilder();
            var comment = false;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (type is not null || data.Length > 0 || comment)
                        _events.Writer.TryWrite(new StreamEvent(id, comment && type is null ? null : type ?? "message", data.ToString(), DateTimeOffset.UtcNow));
                    (id, type, comment) = (null, null, false);
                    data.Clear();
                    continue;
                }
                if (line.StartsWith(':')) { comment = true; continue; }
                var colon = line.IndexOf(':');
                var field = colon < 0 ? line : line[..colon];
                var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
                switch (field)
                {
                    case "id": id = value; break;
                    case "event": type = value; break;
                    case "data": data.Append(data.Length > 0 ? "\n" : "").Append(value); break;
                }
            }
            Ended = new EndOfStreamException("The server ended the stream.");
        }
        catch (Exception e) when (!_stop.IsCancellationRequested)
        {
            Ended = e;
        }
        finally
        {
            _events.Writer.TryComplete();
        }
    }

    /// <summary>Reads events until one satisfies <paramref name="match"/>; fails with what was seen after <paramref name="seconds"/>.</summary>
    public async Task<StreamEvent> WaitForAsync(Func<StreamEvent, bool> match, string what, int seconds = 10, List<StreamEvent>? seen = null)
    {
        seen ??= [];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            while (await _events.Reader.WaitToReadAsync(timeout.Token))
                while (_events.Reader.TryRead(out var e))
                {
                    seen.Add(e);
                    if (match(e)) return e;
                }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested) { }
        Assert.Fail($"Within {seconds} s the stream did not deliver {what}. Ended: {Ended?.Message ?? "no"}. Seen: " +
            string.Join(" | ", seen.TakeLast(10).Select(e => $"{e.Type ?? "comment"} {e.Id} {e.Data}")));
        throw new InvalidOperationException("unreachable");
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        Response?.Dispose();
        try { await _reader; } catch (OperationCanceledException) { }
        _http.Dispose();
        _stop.Dispose();
    }
}
