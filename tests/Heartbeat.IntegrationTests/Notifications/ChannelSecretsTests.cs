using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Notifications;

[Collection(PlatformCollection.Name)]
public class ChannelSecretsTests(PlatformFixture platform)
{
    private const string WebhookSecret = "webhook-secret-never-shown-4f2a9c";
    private const string BotToken = "123456789:AAEbot-token-never-shown-77d1e0c3b5";
    private const string SlackPath = "services/T000/B000/slack-path-never-shown";
    private const string WebhookPath = "hooks/path-token-never-shown";

    [Fact]
    public async Task Secrets_and_urls_are_stored_encrypted_never_returned_and_read_keys_see_no_urls()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var webhook = await platform.CreateWebhookAsync(receiver.Url(WebhookPath), secret: WebhookSecret);
        var telegram = await platform.CreateAsync(new CreateChannelRequest("tg", "telegram", null, null, BotToken, "-1001234567890"));
        var slack = await platform.CreateAsync(new CreateChannelRequest("slack", "slack", receiver.Url(SlackPath).ToString(), null));
        try
        {
            string[] secrets = [WebhookSecret, BotToken, "slack-path-never-shown", "path-token-never-shown"];

            // The rows as stored: none of the secrets in clear.
            await using (var command = platform.Database.CreateCommand("select string_agg(data::text, ' ') from notifier.mt_doc_channel where id = any($1)"))
            {
                command.Parameters.AddWithValue(new[] { webhook.Id, telegram.Id, slack.Id });
                var stored = (string)(await command.ExecuteScalarAsync())!;
                Assert.All(secrets, s => Assert.DoesNotContain(s, stored));
                Assert.Contains("CfDJ8", stored); // Data Protection's payload marker
            }

            // Admins see origins only; read keys see no URL at all; no one sees a secret.
            var admin = await platform.Http.SendAsync(Get("/api/channels", PlatformFixture.AdminKey));
            var adminText = await admin.Content.ReadAsStringAsync();
            Assert.All(secrets, s => Assert.DoesNotContain(s, adminText));
            Assert.Equal(receiver.BaseUrl.GetLeftPart(UriPartial.Authority) + "/…", (await platform.Channels.Get(webhook.Id)).Content!.Url);

            var read = await platform.Http.SendAsync(Get("/api/channels", PlatformFixture.ReadKey));
            var readText = await read.Content.ReadAsStringAsync();
            Assert.True(read.IsSuccessStatusCode, readText);
            Assert.All(secrets, s => Assert.DoesNotContain(s, readText));
            Assert.DoesNotContain("127.0.0.1", readText);
            var one = await platform.Http.SendAsync(Get($"/api/channels/{telegram.Id}", PlatformFixture.ReadKey));
            var view = await one.Content.ReadFromJsonAsync<ChannelView>(HeartbeatJson.Options);
            Assert.Null(view!.ChatId);
            Assert.True(view.SecretSet);

            // A delivery does not put them in the service logs either.
            var (offline, _) = Channels.MadeUpEpisode("secret-log");
            await platform.PublishAsync(offline);
            await receiver.WaitForAsync(r => r.Path.Contains("hooks") && r.MachineOf() == offline.Machine.Id, "the webhook", TimeSpan.FromSeconds(15));
            Assert.All(secrets, s => Assert.DoesNotContain(s, platform.Logs()));
        }
        finally
        {
            await platform.DeleteAsync(webhook, telegram, slack);
        }
    }

    [Fact]
    public async Task A_patch_changes_only_what_it_names_and_the_test_call_signs_with_the_new_secret()
    {
        await using var receiver = await FakeReceiver.StartAsync();
        var channel = await platform.CreateWebhookAsync(receiver.Url("hooks"));
        try
        {
            const string newSecret = "a-rotated-secret-0123456789abcdef";
            var patched = await platform.Channels.Update(channel.Id, new JsonObject { ["name"] = "renamed", ["secret"] = newSecret });
            Assert.True(patched.IsSuccessStatusCode, patched.Error?.Message);
            Assert.Equal("renamed", patched.Content!.Name);
            Assert.Equal(channel.Url, patched.Content.Url);

            var bad = await platform.Channels.Update(channel.Id, new JsonObject { ["type"] = "slack" });
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);

            var test = await platform.Channels.Test(channel.Id);
            Assert.True(test.IsSuccessStatusCode, test.Error?.Message);
            Assert.Equal("delivered", test.Content!.Outcome);
            var sent = Assert.Single(receiver.Received);
            Assert.Equal("heartbeat-test", sent.Json.GetProperty("machine").GetProperty("name").GetString());
            var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(newSecret), Encoding.UTF8.GetBytes(sent.Body)));
            Assert.Equal(expected, sent.Header("X-Webhook-Signature"));
        }
        finally
        {
            await platform.DeleteAsync(channel);
        }
    }

    private HttpRequestMessage Get(string path, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }
}
