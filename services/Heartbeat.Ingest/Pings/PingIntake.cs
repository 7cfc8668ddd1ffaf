using Heartbeat.ServiceDefaults.Machines;
using System.Globalization;
using System.Net;
using System.Text;
using Heartbeat.Contracts.Events;
using Heartbeat.Ingest.Heartbeats;
using Heartbeat.Ingest.Machines;
using Heartbeat.ServiceDefaults;

namespace Heartbeat.Ingest.Pings;

/// <summary>What a ping of any shape says: where it came from, a job run's signal, a message, metrics.</summary>
public sealed record PingSignal(HeartbeatSource Source, HeartbeatRun? Run = null, string? Message = null, IReadOnlyDictionary<string, double>? Metrics = null);

public enum PingResult { Accepted, RateLimited, NotStored }

public sealed record PingOutcome(PingResult Result, DateTimeOffset? ReceivedAt = null, TimeSpan RetryAfter = default);

/// <summary>
/// Every ping shape ends here: the same per-machine rate limit and the same group commit as the native endpoint,
/// one stored heartbeat per accepted ping, answered only after its commit.
/// </summary>
public sealed class PingIntake(HeartbeatWriter writer, HeartbeatRateLimits limits, TimeProvider clock)
{
    public const int MaxMessageLength = 1024;

    public async Task<PingOutcome> AcceptAsync(MachineState machine, PingSignal signal, CancellationToken ct)
    {
        if (!limits.TryAcceptHeartbeat(machine.Id, out var retryAfter)) return new PingOutcome(PingResult.RateLimited, RetryAfter: retryAfter);
        var entry = new HeartbeatEntry(machine.Id, HeartbeatWriter.ReceivedAt(clock), signal.Source,
            Message: StorableMessage(signal.Message), Metrics: signal.Metrics, Run: signal.Run);
        try
        {
            await writer.AppendAsync(entry, ct);
            HeartbeatTelemetry.HeartbeatsReceived.Add(1, new("outcome", "accepted"), new("source", signal.Source.ToString()));
            return new PingOutcome(PingResult.Accepted, entry.ReceivedAt);
        }
        catch (HeartbeatNotStoredException)
        {
            return new PingOutcome(PingResult.NotStored);
        }
    }

    /// <summary>
    /// A ping's body is whatever a script printed: keep the start of it (like Healthchecks.io keeps the first
    /// 100 kB, we keep the first <see cref="MaxMessageLength"/> characters) and replace what PostgreSQL cannot
    /// store instead of refusing the ping — losing a heartbeat over a byte in a log would be a false alarm.
    /// </summary>
    public static string? StorableMessage(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (text.Length > MaxMessageLength) text = text[..MaxMessageLength];
        if (StorableText.IsStorable(text)) return text;
        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { clean.Append(c).Append(text[++i]); continue; }
            clean.Append(c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c);
        }
        return clean.ToString();
    }

    /// <summary>Reads the request body as text, at most what the gateway lets through.</summary>
    public static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) return null;
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ct);
        return text.Length == 0 ? null : text;
    }

    public static IPAddress ClientOf(HttpRequest request) => request.HttpContext.Connection.RemoteIpAddress ?? IPAddress.None;

    public static void SetRetryAfter(HttpResponse response, TimeSpan wait) =>
        response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
