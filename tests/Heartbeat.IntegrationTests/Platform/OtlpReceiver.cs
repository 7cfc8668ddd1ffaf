using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Heartbeat.IntegrationTests.Platform;

/// <summary>One span as the services exported it over OTLP: ids in lower-case hex, as in a traceparent header.</summary>
public sealed record ReceivedSpan(
    string Service, string Name, string TraceId, string SpanId, string? ParentSpanId,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<(string TraceId, string SpanId)> Links);

/// <summary>
/// A real OTLP/HTTP endpoint (<c>POST /v1/traces</c>, protobuf) that the services export to, as a collector would,
/// recording every span. The services use the standard OTLP exporter (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>,
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf</c>); the request is decoded here by reading the protobuf wire format
/// for the few fields a test needs (opentelemetry-proto's trace.proto field numbers).
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private WebApplication? _app;

    public Uri Endpoint { get; private set; } = null!;

    public IReadOnlyList<ReceivedSpan> Spans => _spans.ToList();

    public static async Task<OtlpReceiver> StartAsync()
    {
        var receiver = new OtlpReceiver();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        receiver._app = builder.Build();
        receiver._app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            foreach (var span in Decode(body.ToArray())) receiver._spans.Enqueue(span);
            return Results.Bytes([], "application/x-protobuf"); // an empty ExportTraceServiceResponse
        });
        receiver._app.MapPost("/v1/{signal}", () => Results.Bytes([], "application/x-protobuf")); // metrics, logs: not recorded
        await receiver._app.StartAsync();
        receiver.Endpoint = new Uri(receiver._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    /// <summary>Waits until a span matching <paramref name="match"/> has arrived (exporters batch: up to a few seconds), failing with what did.</summary>
    public async Task<ReceivedSpan> WaitForAsync(Func<ReceivedSpan, bool> match, string what, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            if (_spans.FirstOrDefault(match) is { } found) return found;
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"No span {what} within {timeout}. Received {_spans.Count}: " +
                    string.Join("; ", _spans.TakeLast(30).Select(s => $"{s.Service}/{s.Name} {s.TraceId}")));
            await Task.Delay(200);
        }
    }

    // ---- the protobuf wire format, just enough of ExportTraceServiceRequest ----------------------------------------

    private static IEnumerable<ReceivedSpan> Decode(byte[] request)
    {
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1) continue; // ExportTraceServiceRequest.resource_spans
            var service = "";
            var scopes = new List<byte[]>();
            foreach (var (f, value) in Fields(resourceSpans))
            {
                if (f == 1) // ResourceSpans.resource → Resource.attributes
                    foreach (var (rf, attribute) in Fields(value))
                        if (rf == 1 && KeyValue(attribute) is ("service.name", var name)) service = name;
                if (f == 2) scopes.Add(value); // ResourceSpans.scope_spans
            }
            foreach (var scope in scopes)
                foreach (var (f, span) in Fields(scope))
                    if (f == 2) yield return Span(service, span); // ScopeSpans.spans
        }
    }

    private static ReceivedSpan Span(string service, byte[] span)
    {
        string traceId = "", spanId = "", name = "";
        string? parent = null;
        var attributes = new Dictionary<string, string>();
        var links = new List<(string, string)>();
        foreach (var (f, value) in Fields(span))
        {
            switch (f)
            {
                case 1: traceId = Convert.ToHexStringLower(value); break;
                case 2: spanId = Convert.ToHexStringLower(value); break;
                case 4: if (value.Length > 0) parent = Convert.ToHexStringLower(value); break;
                case 5: name = System.Text.Encoding.UTF8.GetString(value); break;
                case 9: if (KeyValue(value) is var (k, v)) attributes[k] = v; break;
                case 13: // Span.links: trace_id = 1, span_id = 2
                    string linkTrace = "", linkSpan = "";
                    foreach (var (lf, lv) in Fields(value))
                    {
                        if (lf == 1) linkTrace = Convert.ToHexStringLower(lv);
                        if (lf == 2) linkSpan = Convert.ToHexStringLower(lv);
                    }
                    links.Add((linkTrace, linkSpan));
                    break;
            }
        }
        return new ReceivedSpan(service, name, traceId, spanId, parent, attributes, links);
    }

    /// <summary>KeyValue { key = 1; AnyValue value = 2 { string = 1; bool = 2; int = 3; double = 4 } }, as text.</summary>
    private static (string Key, string Value) KeyValue(byte[] keyValue)
    {
        string key = "", text = "";
        foreach (var (f, value) in Fields(keyValue))
        {
            if (f == 1) key = System.Text.Encoding.UTF8.GetString(value);
            if (f == 2)
                foreach (var (vf, v) in Fields(value))
                    text = vf switch
                    {
                        1 => System.Text.Encoding.UTF8.GetString(v),
                        2 or 3 => Varint(v, 0).Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        4 => BitConverter.ToDouble(v).ToString(System.Globalization.CultureInfo.InvariantCulture),
                        _ => text,
                    };
        }
        return (key, text);
    }

    /// <summary>Every field of a message as (number, raw bytes): length-delimited as their content, the others as their encoding.</summary>
    private static List<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var fields = new List<(int, byte[])>();
        var at = 0;
        while (at < message.Length)
        {
            var (tag, next) = Varint(message, at);
            at = next;
            var field = (int)(tag >> 3);
            switch ((int)(tag & 7))
            {
                case 0: // varint: kept as its own encoding, for Varint() to read again
                    var start = at;
                    (_, at) = Varint(message, at);
                    fields.Add((field, message[start..at]));
                    break;
                case 1: fields.Add((field, message[at..(at + 8)])); at += 8; break;
                case 2:
                    var (length, body) = Varint(message, at);
                    fields.Add((field, message[body..(body + (int)length)]));
                    at = body + (int)length;
                    break;
                case 5: fields.Add((field, message[at..(at + 4)])); at += 4; break;
                default: throw new InvalidDataException($"Unsupported protobuf wire type {tag & 7} in an OTLP request.");
            }
        }
        return fields;
    }

    private static (ulong Value, int Next) Varint(byte[] bytes, int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = bytes[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0) return (value, at);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
