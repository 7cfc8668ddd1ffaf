using System.Text.Json;
using System.Text.Json.Serialization;

namespace Heartbeat.Contracts.Events;

/// <summary>
/// One group commit's heartbeats, stored as a single event on a heartbeat stream of its own. One event row
/// per commit instead of one per heartbeat: the row, its index entries and the stream row are paid once per
/// batch, and the entries are compact (short names, defaults left out), so a heartbeat costs tens of bytes.
/// Replaces <see cref="HeartbeatReceived"/>, which stays loadable for the events already stored.
/// </summary>
public sealed record HeartbeatsReceived(IReadOnlyList<HeartbeatEntry> Heartbeats);

/// <summary>
/// One heartbeat inside <see cref="HeartbeatsReceived"/>. <see cref="ReceivedAt"/> is the server's clock, stored
/// in whole microseconds (PostgreSQL's precision). Only what a heartbeat carries is written: source and status
/// when not agent / ok, agent version, message, metrics and a job run's signal when present. New sources are
/// new <see cref="HeartbeatSource"/> members (stored by name); job runs (start, fail, exit code) use
/// <see cref="Run"/>, so neither needs a new event. <see cref="TraceParent"/> (W3C) only while tracing records the
/// heartbeat's request: the transition it causes continues that trace (about 60 bytes; unsampled heartbeats store none).
/// </summary>
public sealed record HeartbeatEntry(
    [property: JsonPropertyName("m")] Guid MachineId,
    [property: JsonPropertyName("t"), JsonConverter(typeof(UnixMicrosecondsConverter))] DateTimeOffset ReceivedAt,
    [property: JsonPropertyName("src"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] HeartbeatSource Source = HeartbeatSource.Agent,
    [property: JsonPropertyName("st"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] ReportedStatus Status = ReportedStatus.Ok,
    [property: JsonPropertyName("v")] string? AgentVersion = null,
    [property: JsonPropertyName("msg")] string? Message = null,
    [property: JsonPropertyName("mx")] IReadOnlyDictionary<string, double>? Metrics = null,
    [property: JsonPropertyName("run")] HeartbeatRun? Run = null,
    [property: JsonPropertyName("tp")] string? TraceParent = null);

/// <summary>
/// A job's run signal carried by a heartbeat: started, failed, exited with a code, or only logged a message
/// (which changes no state); <see cref="RunId"/> ties a start to its end when a client names its runs.
/// </summary>
public sealed record HeartbeatRun(
    RunSignal Signal,
    int? ExitCode = null,
    [property: JsonPropertyName("rid")] string? RunId = null);

public enum RunSignal { Started, Failed, Exited, Logged }

/// <summary>A timestamp as microseconds since the Unix epoch, UTC: 16 digits instead of a 33-character string.</summary>
public sealed class UnixMicrosecondsConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.UnixEpoch.AddTicks(reader.GetInt64() * TimeSpan.TicksPerMicrosecond);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteNumberValue((value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond);
}
