using System.Text;
using System.Text.Json;
using Heartbeat.Contracts.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Heartbeat.Detector.Status;

/// <summary>
/// <c>GET /api/machines/stream</c>: server-sent events, one <c>machine</c> event per status change (a
/// <see cref="MachineChanged"/>). It opens with <c>ready</c> (the fleet's counts; its id is where a reconnect
/// resumes) or, when the client's <c>Last-Event-ID</c> cannot be resumed (detector restarted, or too far behind),
/// with <c>reset</c>: reload the list, then follow. A comment every <see cref="StatusOptions.KeepAlive"/> of silence
/// keeps proxies from closing the stream. Browsers' EventSource cannot send a key header, so the dashboard
/// reads the stream with fetch; <c>last_event_id</c> in the query string serves clients that cannot set headers.
/// </summary>
public static class MachineStream
{
    public static async Task Stream(
        HttpContext http, MachineBoard board, TimeProvider clock, IOptions<StatusOptions> options, IHostApplicationLifetime lifetime)
    {
        // A stream never ends by itself: end it when the service stops, or shutdown waits for every client.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var lastEventId = http.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : http.Request.Query["last_event_id"].ToString();
        long position;
        try
        {
            await WriteAsync(response, "retry: 1000\n\n", ct);
            if (board.ResumePoint(lastEventId) is { } resumed) position = resumed;
            else
            {
                position = board.Sequence;
                var snapshot = board.Current.Machines;
                var hello = new { counts = MachineBoardRefresher.Counts(snapshot), total = snapshot.Count };
                await WriteEventAsync(response, board.IdOf(position), string.IsNullOrEmpty(lastEventId) ? "ready" : "reset", hello, ct);
            }

            while (!ct.IsCancellationRequested)
            {
                if (board.After(position) is not { } changes)
                {
                    // Too far behind to replay: start over from now.
                    position = board.Sequence;
                    await WriteEventAsync(response, board.IdOf(position), "reset", new { }, ct);
                    continue;
                }
                foreach (var (sequence, change) in changes)
                {
                    await WriteEventAsync(response, board.IdOf(sequence), "machine", change, ct, flush: false);
                    position = sequence;
                }
                if (changes.Count > 0) await response.Body.FlushAsync(ct);
                if (!await board.WaitAsync(position, options.Value.KeepAlive, clock, ct))
                    await WriteAsync(response, ": keep-alive\n\n", ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client left or the service is stopping: the stream simply ends.
        }
    }

    private static Task WriteEventAsync<T>(HttpResponse response, string id, string type, T data, CancellationToken ct, bool flush = true) =>
        WriteAsync(response, $"id: {id}\nevent: {type}\ndata: {JsonSerializer.Serialize(data, HeartbeatJson.Options)}\n\n", ct, flush);

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken ct, bool flush = true)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
        if (flush) await response.Body.FlushAsync(ct);
    }
}
