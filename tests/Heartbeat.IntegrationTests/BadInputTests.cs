using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests;

/// <summary>Every bad request gets its status and an RFC 7807 body, and appends nothing.</summary>
[Collection(PlatformCollection.Name)]
public class BadInputTests(PlatformFixture platform)
{
    private async Task<JsonElement> AssertRejected(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()), "problem details carry a detail");
        return problem;
    }

    private async Task<HttpResponseMessage> PostHeartbeat(Guid machineId, string? token, string? json, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/heartbeat/{machineId}");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, contentType);
        return await platform.Http.SendAsync(request);
    }

    [Fact]
    public async Task Heartbeats_with_a_wrong_or_missing_token_are_401_and_store_nothing()
    {
        var machine = await platform.RegisterAsync();
        var other = await platform.RegisterAsync();

        await AssertRejected(await PostHeartbeat(machine.Id, "hb_wrong", null), HttpStatusCode.Unauthorized);
        await AssertRejected(await PostHeartbeat(machine.Id, null, null), HttpStatusCode.Unauthorized);
        await AssertRejected(await PostHeartbeat(machine.Id, other.Token, null), HttpStatusCode.Unauthorized);

        Assert.Equal(1, await platform.CountEventsAsync(machine.Id)); // the registration only
    }

    [Fact]
    public async Task An_unknown_machine_looks_exactly_like_a_wrong_token()
    {
        var machine = await platform.RegisterAsync();
        var unknown = Guid.CreateVersion7();

        var wrongToken = await AssertRejected(await PostHeartbeat(machine.Id, "hb_wrong", null), HttpStatusCode.Unauthorized);
        var unknownMachine = await AssertRejected(await PostHeartbeat(unknown, machine.Token, null), HttpStatusCode.Unauthorized);

        Assert.Equal(wrongToken.GetProperty("detail").GetString(), unknownMachine.GetProperty("detail").GetString());
        Assert.Equal(0, await platform.CountEventsAsync(unknown));
    }

    [Fact]
    public async Task Malformed_json_is_400_and_stores_nothing()
    {
        var machine = await platform.RegisterAsync();

        await AssertRejected(await PostHeartbeat(machine.Id, machine.Token, "{\"status\":"), HttpStatusCode.BadRequest);

        Assert.Equal(1, await platform.CountEventsAsync(machine.Id));
    }

    [Fact]
    public async Task An_invalid_field_is_400_naming_the_field_and_stores_nothing()
    {
        var machine = await platform.RegisterAsync();

        var problem = await AssertRejected(await PostHeartbeat(machine.Id, machine.Token, "{\"status\":\"exploded\"}"), HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("status", out _), problem.ToString());
        Assert.Equal(1, await platform.CountEventsAsync(machine.Id));
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_413_and_stores_nothing()
    {
        var machine = await platform.RegisterAsync();
        var json = JsonSerializer.Serialize(new { message = new string('x', 65 * 1024) });

        await AssertRejected(await PostHeartbeat(machine.Id, machine.Token, json), HttpStatusCode.RequestEntityTooLarge);

        Assert.Equal(1, await platform.CountEventsAsync(machine.Id));
    }

    [Fact]
    public async Task A_malformed_machine_id_is_400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/heartbeat/not-a-uuid");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "hb_x");
        var problem = await AssertRejected(await platform.Http.SendAsync(request), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("machine_id", out _));
    }

    [Fact]
    public async Task Registering_without_an_admin_key_is_401()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/machines")
        {
            Content = new StringContent("{\"name\":\"sneaky\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", PlatformFixture.ReadKey);

        await AssertRejected(await platform.Http.SendAsync(request), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Registering_without_a_name_is_400_naming_the_field()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/machines")
        {
            Content = new StringContent("{\"hostname\":\"h\",\"offline_threshold_seconds\":0}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", PlatformFixture.AdminKey);

        var problem = await AssertRejected(await platform.Http.SendAsync(request), HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("name", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("offline_threshold_seconds", out _), errors.ToString());
    }
}
