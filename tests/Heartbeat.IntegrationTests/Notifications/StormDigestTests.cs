using System.Security.Cryptography;
using System.Text;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;
using Npgsql;

namespace Heartbeat.IntegrationTests.Notifications;

/// <summary>
/// A rack going dark is told once: 50 machines going offline through the gateway give each channel at most the first
/// twenty on their own and one digest with the rest; their recoveries the same. The shared platform has storms off
/// (its other tests send many transitions at once), so this test stops its notifier and runs two replicas of its own
/// with the default threshold (20) and a window short enough for a test, competing for the transitions as
/// production replicas do; one is killed and both restarted while the digest is pending.
/// </summary>
[Collection(PlatformCollection.Name)]
public class StormDigestTests(PlatformFixture platform)
{
    private const int Fleet = 50;
    private const int Threshold = 20;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(15);

    /// <summary>Long enough for a duplicate or a second digest to have arrived, had one been sent.</summary>
    private static readonly TimeSpan QuietWindow = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_storm_of_50_machines_going_offline_is_one_digest_per_channel_and_their_recoveries_are_grouped_too()
    {
        await using var first = await FakeReceiver.StartAsync();
        await using var second = await FakeReceiver.StartAsync();
        var a = await platform.CreateWebhookAsync(first.Url("hooks"));
        var b = await platform.CreateWebhookAsync(second.Url("hooks"));
        var receivers = new[] { (Receiver: first, Channel: a), (Receiver: second, Channel: b) };
        var storm = new Dictionary<string, string>
        {
            ["Notifier__Storm__Machines"] = Threshold.ToString(),
            ["Notifier__Storm__Window"] = $"{Window.TotalSeconds}s",
            ["Ingest__PublicUrl"] = platform.Gateway.BaseAddress.ToString(),
        };
        var replicas = new[] { platform.AddNotifierReplica(storm), platform.AddNotifierReplica(storm) };
        using var agents = new CancellationTokenSource();
        var ids = new HashSet<Guid>();
        // A storm of two days ago, long forgotten: a replica prunes it when it starts.
        var old = Guid.CreateVersion7();
        await using (var command = platform.Database.CreateCommand("""
            insert into notifier.storm_transitions (episode_id, kind, machine_id, occurred_at, digest_id) values ($1, 'offline', $1, now() - interval '2 days', $1);
            insert into notifier.storm_digests (id, kind, opened_at, due_at, closed_at) values ($1, 'offline', now() - interval '2 days', now() - interval '2 days', now() - interval '2 days');
            """.Replace("$1", $"'{old}'")))
            await command.ExecuteNonQueryAsync();
        await platform.Notifier.StopAsync();
        try
        {
            foreach (var replica in replicas) replica.Start();
            foreach (var replica in replicas) await platform.WaitUntilReadyAsync(replica);
            await Eventually.Async(() => CountAsync("""
                select (select count(*) from notifier.storm_transitions where episode_id = any($1))
                     + (select count(*) from notifier.storm_digests where id = any($1))
                """, [old]), n => n == 0, "the storm of two days ago pruned", seconds: 10);

            var tag = Quiet.Unique("rack");
            var fleet = new List<RegisteredMachine>();
            for (var i = 0; i < Fleet; i++) fleet.Add(await platform.RegisterTaggedAsync(tag));
            ids.UnionWith(fleet.Select(m => m.Id));
            // One heartbeat each, at once: with a one-second threshold the whole rack goes offline within a second or two.
            await Task.WhenAll(fleet.Select(m => platform.SendHeartbeatAsync(m)));

            // Every offline recorded (the storm decided), then a crash of one replica and a restart of both while the
            // digest waits for its window to close: it is in the database, not in a replica's memory.
            await Eventually.Async(() => CountAsync("select count(*) from notifier.storm_transitions where kind = 'offline' and machine_id = any($1)", ids),
                n => n == Fleet, "every offline of the rack counted for the storm", seconds: 60);
            // The first twenty are sent on their own at once; the crash is to come while the digest waits, not while they are
            // being sent (a replica killed between a send and its record sends it again, once its lease ends: the duplicate
            // the README describes, which receivers drop by webhook-id, and not what this test is about).
            await Eventually.Async(() => CountAsync("select count(*) from notifier.deliveries where machine_id = any($1) and kind = 'offline' and status = 'pending'"
                + $" and channel_id in ('{a.Id}', '{b.Id}')", ids),
                n => n == 0, "the offlines told on their own sent and recorded", seconds: 30);
            var pendingAtCrash = await CountAsync("""
                select count(distinct s.digest_id) from notifier.storm_transitions s join notifier.storm_digests g on g.id = s.digest_id
                where s.machine_id = any($1) and g.closed_at is null
                """, ids);
            await replicas[0].KillAsync();
            await replicas[1].StopAsync();
            foreach (var replica in replicas) replica.Start();
            foreach (var replica in replicas) await platform.WaitUntilReadyAsync(replica);
            Console.WriteLine($"offline digests still pending when the replicas were killed and restarted: {pendingAtCrash}");

            foreach (var (receiver, _) in receivers)
                await receiver.WaitForAsync(r => IsDigest(r, "offline", ids), "the offline digest", TimeSpan.FromSeconds(60));

            // The rack comes back: agents send every half second until both channels have the online digest. First a
            // threshold agents on a busy box can keep: with one second, a send running late is a second outage and a
            // second digest, rightly, but not what this test is about.
            foreach (var m in fleet)
                Assert.True((await platform.Machines.ChangeSettings(m.Id, new ChangeMachineSettingsRequest(OfflineThresholdSeconds: 60))).IsSuccessStatusCode);
            var sending = Task.Run(async () =>
            {
                while (!agents.IsCancellationRequested)
                {
                    try { await Task.WhenAll(fleet.Select(m => platform.Heartbeats.SendHeartbeat(m.Id, null, m.Token))); }
                    catch (HttpRequestException) { /* an agent just tries again */ }
                    try { await Task.Delay(500, agents.Token); } catch (OperationCanceledException) { }
                }
            });
            foreach (var (receiver, _) in receivers)
                await receiver.WaitForAsync(r => IsDigest(r, "online", ids), "the online digest", TimeSpan.FromSeconds(60));
            await Task.WhenAll(fleet.Select(m => platform.Machines.Pause(m.Id)));
            await agents.CancelAsync();
            await sending;
            await Task.Delay(QuietWindow); // a window in which a second digest or a duplicate would show, not synchronisation

            foreach (var (receiver, channel) in receivers)
                foreach (var kind in new[] { "offline", "online" })
                {
                    var digests = receiver.Where(r => IsDigest(r, kind, ids)).ToList();
                    Assert.True(digests.Count == 1, $"{digests.Count} {kind} digests to {channel.Name}: " + string.Join("; ", digests.Select(d =>
                        $"webhook-id {d.Header("webhook-id")}, {d.Json.GetProperty("count").GetInt32()} machines, digest {d.Json.GetProperty("digest_id")}, first at {d.Json.GetProperty("machines")[0].GetProperty("at")}")));
                    var digest = digests[0];
                    var merged = digest.Json.GetProperty("machines").EnumerateArray().Select(m => m.GetProperty("id").GetGuid()).Where(ids.Contains).ToList();
                    var alone = receiver.Where(r => IsIndividual(r, kind, ids)).Select(r => r.MachineOf()).ToList();
                    Console.WriteLine($"channel {channel.Name}, {kind}: {alone.Count} on their own, {merged.Count} in one digest");

                    Assert.True(alone.Count <= Threshold, $"{alone.Count} {kind} webhooks on their own to {channel.Name}; at most {Threshold} expected");
                    Assert.True(merged.Count >= Fleet - Threshold, $"only {merged.Count} machines in the {kind} digest");
                    // Every machine told exactly once: on its own or in the digest.
                    Assert.Equal(ids.Order(), alone.Concat(merged).Order());
                    Assert.Equal(Signature(digest.Body), digest.Header("x-webhook-signature"));
                    Assert.Equal(digest.Json.GetProperty("count").GetInt32(), digest.Json.GetProperty("machines").GetArrayLength());
                    Assert.Equal(platform.Gateway.BaseAddress.ToString(), digest.Json.GetProperty("dashboard_url").GetString());
                    var listed = digest.Json.GetProperty("machines").EnumerateArray().First(m => ids.Contains(m.GetProperty("id").GetGuid()));
                    Assert.Equal([tag], listed.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
                }
        }
        finally
        {
            await agents.CancelAsync();
            foreach (var replica in replicas) await replica.StopAsync();
            platform.Notifier.Start();
            await platform.WaitUntilReadyAsync(platform.Notifier);
        }

        // The delivery log says why: a merged machine's own deliveries are suppressed with reason digest, naming it;
        // the digests are deliveries of their own, delivered once.
        var offlineDigest = first.Where(r => IsDigest(r, "offline", ids)).Single();
        var mergedMachine = offlineDigest.Json.GetProperty("machines").EnumerateArray().Select(m => m.GetProperty("id").GetGuid()).First(ids.Contains);
        var own = await platform.DeliveriesAsync(machine: mergedMachine, channel: a.Id);
        var suppressed = Assert.Single(own, d => d.Kind == "offline");
        Assert.Equal(("suppressed", "digest"), (suppressed.Status, suppressed.Reason));
        Assert.Contains(offlineDigest.Json.GetProperty("digest_id").GetGuid().ToString(), suppressed.Detail);
        var digestRows = (await platform.DeliveriesAsync(machine: Guid.Empty, channel: a.Id)).Where(d => d.Kind == "digest").ToList();
        var row = Assert.Single(digestRows, d => d.EpisodeId == offlineDigest.Json.GetProperty("digest_id").GetGuid());
        Assert.Equal("delivered", row.Status);
        Assert.Equal(offlineDigest.Header("webhook-id"), row.Id);

        await platform.DeleteAsync(a, b);
    }

    private static bool IsDigest(ReceivedRequest r, string kind, IReadOnlySet<Guid>? fleetIds) =>
        r.Json.GetProperty("event").GetString() == "digest" && r.Json.GetProperty("kind").GetString() == kind
        && (fleetIds is null || r.Json.GetProperty("machines").EnumerateArray().Any(m => fleetIds.Contains(m.GetProperty("id").GetGuid())));

    private static bool IsIndividual(ReceivedRequest r, string kind, IReadOnlySet<Guid> fleetIds) =>
        r.Json.GetProperty("event").GetString() == $"machine.{kind}" && fleetIds.Contains(r.MachineOf());

    private static string Signature(string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Channels.Secret), Encoding.UTF8.GetBytes(body)));

    private async Task<long> CountAsync(string sql, IEnumerable<Guid> machines)
    {
        await using var command = platform.Database.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = machines.ToArray() });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
