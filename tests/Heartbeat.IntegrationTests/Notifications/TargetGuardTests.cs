using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Notifications;

[Collection(PlatformCollection.Name)]
public class TargetGuardTests(PlatformFixture platform)
{
    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data/")]
    [InlineData("http://[::ffff:169.254.169.254]/")]
    public async Task Cloud_metadata_addresses_are_refused_even_where_private_targets_are_allowed(string url)
    {
        var response = await platform.Channels.Create(new("metadata", "webhook", url, "0123456789abcdef0123"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("cloud-metadata", (response.Error as Refit.ApiException)!.Content);
    }

    [Fact]
    public async Task Without_AllowPrivateTargets_loopback_and_private_targets_are_refused_at_creation()
    {
        // A notifier of its own with the production default, spoken to directly.
        var guarded = platform.AddNotifierReplica(new Dictionary<string, string> { ["Notifier__AllowPrivateTargets"] = "false" });
        try
        {
            guarded.Start();
            await platform.WaitUntilReadyAsync(guarded);
            using var http = new HttpClient { BaseAddress = guarded.BaseAddress };
            http.DefaultRequestHeaders.Authorization = new("Bearer", PlatformFixture.AdminKey);

            foreach (var url in new[] { "http://127.0.0.1:9000/hooks", "http://localhost:9000/hooks", "http://10.1.2.3/hooks", "http://192.168.1.10/hooks", "http://[::1]:9000/hooks" })
            {
                var response = await http.PostAsJsonAsync("/api/channels", new { name = "inside", type = "webhook", url, secret = "0123456789abcdef0123" });
                var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{url}: {response.StatusCode}");
                Assert.Contains("loopback, private or link-local", problem.GetProperty("errors").GetProperty("url")[0].GetString());
            }
        }
        finally
        {
            await guarded.StopAsync();
        }
    }

    [Fact]
    public async Task Redirects_are_not_followed()
    {
        await using var inside = await FakeReceiver.StartAsync();
        await using var redirecting = await FakeReceiver.StartAsync();
        redirecting.Respond = _ => (307, new Dictionary<string, string> { ["Location"] = inside.Url("hooks").ToString() }, null);
        var channel = await platform.CreateWebhookAsync(redirecting.Url("hooks"));
        try
        {
            var test = await platform.Channels.Test(channel.Id);

            Assert.Equal("permanent_failure", test.Content!.Outcome);
            Assert.Equal(307, test.Content.StatusCode);
            Assert.Empty(inside.Received);
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }
}
