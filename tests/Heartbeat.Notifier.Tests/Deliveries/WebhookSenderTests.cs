using System.Net;
using System.Net.Sockets;
using System.Text;
using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Deliveries;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Heartbeat.Notifier.Tests.Deliveries;

public class WebhookSenderTests
{
    private static readonly Channel Channel = new()
    {
        Id = Guid.CreateVersion7(), Name = "ops", Url = "https://hooks.example.net/heartbeat", Secret = "a-channel-secret-of-32-characters",
    };

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.Created)]
    [InlineData(HttpStatusCode.Accepted)]
    [InlineData(HttpStatusCode.NoContent)]
    public void A_2xx_answer_is_delivered(HttpStatusCode status) =>
        Assert.Equal(SendResult.Delivered, WebhookSender.Classify(status).Result);

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public void Timeouts_throttling_and_server_errors_are_transient(HttpStatusCode status) =>
        Assert.Equal(SendResult.TransientFailure, WebhookSender.Classify(status).Result);

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Gone)]
    [InlineData(HttpStatusCode.UnprocessableEntity)]
    [InlineData(HttpStatusCode.MovedPermanently)]
    public void Other_client_errors_are_permanent(HttpStatusCode status) =>
        Assert.Equal(SendResult.PermanentFailure, WebhookSender.Classify(status).Result);

    [Fact]
    public void A_failed_answer_names_its_status_code() =>
        Assert.Contains("503", WebhookSender.Classify(HttpStatusCode.ServiceUnavailable).Error);

    [Fact]
    public void Refused_connections_timeouts_and_an_open_circuit_are_transient()
    {
        Assert.True(WebhookSender.IsTransient(new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused)), CancellationToken.None));
        Assert.True(WebhookSender.IsTransient(new TimeoutRejectedException(), CancellationToken.None));
        Assert.True(WebhookSender.IsTransient(new TaskCanceledException(), CancellationToken.None));
        Assert.True(WebhookSender.IsTransient(new BrokenCircuitException(), CancellationToken.None));
    }

    [Fact]
    public void Our_own_shutdown_is_not_a_delivery_failure()
    {
        using var stopping = new CancellationTokenSource();
        stopping.Cancel();

        Assert.False(WebhookSender.IsTransient(new OperationCanceledException(stopping.Token), stopping.Token));
    }

    [Fact]
    public async Task Posts_the_body_with_signature_id_content_type_and_user_agent()
    {
        var handler = new RecordingHandler(HttpStatusCode.OK);
        var sender = new WebhookSender(new HttpClient(handler));
        var body = Encoding.UTF8.GetBytes("""{"event":"machine.online"}""");

        var outcome = await sender.SendAsync(Channel, "episode:channel:online", body, CancellationToken.None);

        Assert.Equal(SendResult.Delivered, outcome.Result);
        var sent = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal(Channel.Url, sent.Uri);
        Assert.Equal(body, sent.Body);
        Assert.Equal("application/json", sent.Headers["Content-Type"]);
        Assert.Equal(WebhookSignature.Sign(body, Channel.Secret), sent.Headers["X-Webhook-Signature"]);
        Assert.Equal("episode:channel:online", sent.Headers["X-Webhook-Id"]);
        Assert.Equal("Heartbeat.Platform", sent.Headers["User-Agent"]);
    }

    [Fact]
    public async Task Each_channel_has_its_own_resilience_pipeline_keyed_by_channel_id_not_url()
    {
        var handler = new RecordingHandler(HttpStatusCode.OK);

        await new WebhookSender(new HttpClient(handler)).SendAsync(Channel, "id", "{}"u8.ToArray(), CancellationToken.None);

        Assert.Equal(Channel.Id.ToString(), Assert.Single(handler.Requests).Channel);
    }

    [Fact]
    public async Task A_refused_connection_comes_back_as_transient_without_the_secret()
    {
        var sender = new WebhookSender(new HttpClient(new ThrowingHandler(
            new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (hooks.example.net:443)"))));

        var outcome = await sender.SendAsync(Channel, "id", "{}"u8.ToArray(), CancellationToken.None);

        Assert.Equal(SendResult.TransientFailure, outcome.Result);
        Assert.DoesNotContain(Channel.Secret, outcome.Error);
    }

    private sealed record SentRequest(HttpMethod Method, string Uri, byte[] Body, Dictionary<string, string> Headers, string Channel);

    private sealed class RecordingHandler(HttpStatusCode status) : HttpMessageHandler
    {
        public List<SentRequest> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            var headers = request.Headers.Concat(request.Content!.Headers)
                .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
            Requests.Add(new SentRequest(request.Method, request.RequestUri!.ToString(), await request.Content.ReadAsByteArrayAsync(ct), headers, WebhookSender.ChannelOf(request)));
            return new HttpResponseMessage(status);
        }
    }

    private sealed class ThrowingHandler(Exception exception) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct) => Task.FromException<HttpResponseMessage>(exception);
    }
}
