using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests;

/// <summary>A heartbeat holding what PostgreSQL cannot store is refused alone; healthy heartbeats sent with it are stored.</summary>
[Collection(PlatformCollection.Name)]
public class PoisonIsolationTests(PlatformFixture platform)
{
    private async Task<HttpResponseMessage> PostRaw(RegisteredMachine machine, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/heartbeat/{machine.Id}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", machine.Token);
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return await platform.Http.SendAsync(request);
    }

    [Theory]
    [InlineData("""{"message":"disk \u0000 full"}""", "message")]
    [InlineData("""{"agent_version":"1.0\u0000"}""", "agent_version")]
    [InlineData("""{"message":"lone \ud800 surrogate"}""", "message")]
    [InlineData("""{"metrics":{"cpu\udc00":1}}""", "metrics")]
    public async Task Poisoned_heartbeats_are_400_naming_the_field_while_healthy_ones_sent_with_them_are_stored(string poison, string field)
    {
        var poisoned = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ => await platform.RegisterAsync(thresholdSeconds: 60)));
        var healthy = await Task.WhenAll(Enumerable.Range(0, 5).Select(async _ => await platform.RegisterAsync(thresholdSeconds: 60)));

        // All at once, so that poisoned and healthy heartbeats would share group commits if they got that far.
        var poisonedAnswers = poisoned.Select(m => PostRaw(m, poison)).ToArray();
        var healthyAnswers = healthy.Select(m => PostRaw(m, """{"status":"ok","message":"fine"}""")).ToArray();
        await Task.WhenAll(poisonedAnswers.Concat(healthyAnswers));

        foreach (var answer in poisonedAnswers.Select(a => a.Result))
        {
            var body = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"poisoned: {answer.StatusCode} {body}");
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
            // NUL passes the JSON reader and is refused by validation (errors.<field>); an unpaired surrogate escape is
            // already refused by the JSON reader, whose detail names the field by its path ($.<field>).
            var problem = JsonDocument.Parse(body).RootElement;
            var named = problem.TryGetProperty("errors", out var errors) && errors.TryGetProperty(field, out _)
                        || problem.GetProperty("detail").GetString()!.Contains($"$.{field}", StringComparison.Ordinal);
            Assert.True(named, $"the problem names {field}: {body}");
        }
        foreach (var answer in healthyAnswers.Select(a => a.Result))
            Assert.True(answer.StatusCode == HttpStatusCode.OK, $"healthy: {answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        foreach (var m in poisoned) Assert.Equal(1, await platform.CountEventsAsync(m.Id)); // the registration only
        foreach (var m in healthy) Assert.Equal(2, await platform.CountEventsAsync(m.Id)); // registration + heartbeat
    }
}
