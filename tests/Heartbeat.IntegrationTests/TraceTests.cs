using System.Net.Http.Headers;
using System.Net.Http.Json;
using Heartbeat.IntegrationTests.Notifications;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests;

/// <summary>
/// One trace from a heartbeat to the notification it causes, read from what the services really exported over OTLP
/// (the fixture's <see cref="OtlpReceiver"/> stands where a collector would).
/// </summary>
[Collection(PlatformCollection.Name)]
public class TraceTests(PlatformFixture platform)
{
    private static readonly TimeSpan SpanWait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_heartbeat_that_ends_an_outage_keeps_its_trace_id_through_every_service_to_the_webhooks_traceparent()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        try
        {
            var machine = await platform.RegisterAsync(thresholdSeconds: 2);
            var lastTrace = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
            await SendHeartbeatInTraceAsync(machine, lastTrace);
            var offline = (await receiver.WaitForAsync(r => r.IsFor(machine.Id, "machine.offline"), "the offline webhook", TimeSpan.FromSeconds(15)))[0];

            // The machine's agent sends its own trace context with the heartbeat that brings it back.
            var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
            await SendHeartbeatInTraceAsync(machine, traceId);
            var online = (await receiver.WaitForAsync(r => r.IsFor(machine.Id, "machine.online"), "the online webhook", TimeSpan.FromSeconds(15)))[0];

            // The outgoing webhook carries the heartbeat's trace id …
            Assert.Equal(traceId, TraceIdOf(online.Header("traceparent")));
            // … and every service on the way recorded spans in that one trace.
            foreach (var service in new[] { "Heartbeat.Gateway", "Heartbeat.Ingest", "Heartbeat.Detector", "Heartbeat.Notifier" })
                await platform.Otlp.WaitForAsync(s => s.Service == service && s.TraceId == traceId, $"of {service} in trace {traceId}", SpanWait);
            var deliver = await platform.Otlp.WaitForAsync(s => s.Name == "deliver" && s.TraceId == traceId, "deliver", SpanWait);
            Assert.Equal(machine.Id.ToString(), deliver.Attributes["heartbeat.machine_id"]);
            Assert.Equal(online.Json.GetProperty("episode_id").GetString(), deliver.Attributes["heartbeat.episode_id"]);
            // The group commit serves many requests: its span links to this heartbeat's.
            await platform.Otlp.WaitForAsync(s => s.Name == "heartbeat group commit" && s.Links.Any(l => l.TraceId == traceId), "group commit linking the heartbeat", SpanWait);

            // An outage caused by silence starts its own trace, at the detector's judgement, carried to its webhook.
            var offlineTrace = TraceIdOf(offline.Header("traceparent"));
            Assert.NotNull(offlineTrace);
            var judgement = await platform.Otlp.WaitForAsync(s => s.Name == "judge deadlines" && s.TraceId == offlineTrace, "the judgement that started the offline trace", SpanWait);
            Assert.Null(judgement.ParentSpanId);
            Assert.Contains(judgement.Links, l => l.TraceId == lastTrace); // … linking to the machine's last heartbeat
            await platform.Otlp.WaitForAsync(s => s.Service == "Heartbeat.Notifier" && s.TraceId == offlineTrace, "the notifier in the offline trace", SpanWait);

            // Never a secret in a span: neither the machine's token nor the channel's signing secret.
            Assert.DoesNotContain(platform.Otlp.Spans, s => s.Attributes.Values.Any(v => v.Contains(machine.Token) || v.Contains(Channels.Secret)));
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }

    private async Task SendHeartbeatInTraceAsync(Heartbeat.Contracts.Http.RegisteredMachine machine, string traceId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/heartbeat/{machine.Id}") { Content = JsonContent.Create(new { status = "ok" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", machine.Token);
        request.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..8])}-01");
        using var answer = await platform.Http.SendAsync(request);
        Assert.True(answer.IsSuccessStatusCode, $"heartbeat: {answer.StatusCode}");
    }

    private static string? TraceIdOf(string? traceparent) => traceparent?.Split('-') is [_, var trace, _, _] ? trace : null;
}
