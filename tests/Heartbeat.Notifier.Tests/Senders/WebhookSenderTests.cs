using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Heartbeat.Contracts.Messages;
using Heartbeat.Notifier.Channels;
using Heartbeat.Notifier.Deliveries;
using Heartbeat.Notifier.Senders;
using Heartbeat.Notifier.Targets;

namespace Heartbeat.Notifier.Tests.Senders;

public class WebhookSenderTests
{
    private const string Secret = "a-channel-secret-of-32-characters";
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private static readonly ChannelTarget Channel = new(Guid.CreateVersion7(), "ops", "webhook", "https://hooks.example.net/heartbeat", Secret, null, null, []);
    private static readonly Outgoing Message = new("episode:channel:offline",
        new Notification("offline", new MachineSnapshot { Id = Guid.CreateVersion7(), Name = "db-1" }, Guid.CreateVersion7(), Now, Now.AddMinutes(-2)), null);

    [Theory]
    [InlineData(HttpStatusCode.OK)]
    [InlineData(HttpStatusCode.Created)]
    [InlineData(HttpStatusCode.Accepted)]
    [InlineData(HttpStatusCode.NoContent)]
    public void A_2xx_answer_is_delivered(HttpStatusCode status) =>
        Assert.Equal(SendResult.Delivered, SendOutcome.Classify(status, null, Now).Result);

    [Theory]
    [InlineData(HttpStatusCode.RequestTimeout)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.BadGateway)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.GatewayTimeout)]
    public void Timeouts_throttling_and_server_errors_are_transient(HttpStatusCode status) =>
        Assert.Equal(SendResult.TransientFailure, SendOutcome.Classify(status, null, Now).Result);

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Gone)]
    [InlineData(HttpStatusCode.UnprocessableEntity)]
    [InlineData(HttpStatusCode.MovedPermanently)]
    [InlineData(HttpStatusCode.Found)]
    public void Other_client_errors_and_unfollowed_redirects_are_permanent(HttpStatusCode status) =>
        Assert.Equal(SendResult.PermanentFailure, SendOutcome.Classify(status, null, Now).Result);

    [Fact]
    public void Retry_after_of_429_and_503_is_kept_as_seconds_or_a_date()
    {
        Assert.Equal(TimeSpan.FromSeconds(7), SendOutcome.Classify(HttpStatusCode.TooManyRequests, new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)), Now).RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(30), SendOutcome.Classify(HttpStatusCode.ServiceUnavailable, new RetryConditionHeaderValue(Now.AddSeconds(30)), Now).RetryAfter);
        Assert.Null(SendOutcome.Classify(HttpStatusCode.InternalServerError, new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)), Now).RetryAfter);
    }

    [Fact]
    public void A_failed_answer_names_its_status_code() =>
        Assert.Equal(503, SendOutcome.Classify(HttpStatusCode.ServiceUnavailable, null, Now).StatusCode);

    [Fact]
    public void Refused_connections_and_timeouts_are_transient_a_refused_target_is_permanent()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "refused", new SocketException((int)SocketError.ConnectionRefused));
        Assert.Equal(SendResult.TransientFailure, SendOutcome.FromException(refused, TimeSpan.FromSeconds(10), CancellationToken.None).Result);
        Assert.Equal(SendResult.TransientFailure, SendOutcome.FromException(new TaskCanceledException(), TimeSpan.FromSeconds(10), CancellationToken.None).Result);
        var guarded = new HttpRequestException(HttpRequestError.ConnectionError, "x", new TargetRefusedException("10.0.0.1 is private"));
        Assert.Equal(SendResult.PermanentFailure, SendOutcome.FromException(guarded, TimeSpan.FromSeconds(10), CancellationToken.None).Result);
    }

    [Fact]
    public void Our_own_shutdown_is_not_a_delivery_outcome()
    {
        using var stopping = new CancellationTokenSource();
        stopping.Cancel();

        Assert.Throws<OperationCanceledException>(() => SendOutcome.FromException(new OperationCanceledException(stopping.Token), TimeSpan.FromSeconds(1), stopping.Token));
    }

    [Fact]
    public async Task The_request_carries_both_signatures_the_stable_id_content_type_and_user_agent()
    {
        using var request = WebhookSender.Request(Channel, Message, Now);
        var body = await request.Content!.ReadAsByteArrayAsync();

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(Channel.Url, request.RequestUri!.ToString());
        Assert.Equal(WebhookBody.For(Message), body);
        Assert.Equal("application/json", request.Content.Headers.ContentType!.MediaType);
        Assert.Equal(WebhookSignature.Sign(body, Secret), Header(request, "X-Webhook-Signature"));
        Assert.Equal("episode:channel:offline", Header(request, "X-Webhook-Id"));
        Assert.Equal("episode:channel:offline", Header(request, "webhook-id"));
        Assert.Equal(Now.ToUnixTimeSeconds().ToString(), Header(request, "webhook-timestamp"));
        Assert.Equal(WebhookSignature.SignStandard("episode:channel:offline", Now.ToUnixTimeSeconds(), body, Secret), Header(request, "webhook-signature"));
        Assert.Equal("Heartbeat.Platform", Header(request, "User-Agent"));
        Assert.DoesNotContain(Secret, Encoding.UTF8.GetString(body));
    }

    private static string Header(HttpRequestMessage request, string name) => string.Join(",", request.Headers.GetValues(name));
}
