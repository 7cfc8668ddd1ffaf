using System.Security.Cryptography;
using System.Text;
using Heartbeat.Faults.Harness;

namespace Heartbeat.Faults;

/// <summary>
/// An intake interruption is told to people, once as it starts ("no machine is being declared offline meanwhile")
/// and once as it ends (how long it lasted): the detector's stored IntakeInterrupted/IntakeRestored, published from the
/// event store, turned into a signed <c>platform.incident</c> webhook per channel.
/// </summary>
[Collection(FaultCollection.Name)]
public class PlatformIncidentNotificationTests(FaultFixture fixture)
{
    private const string ChannelSecret = "fault-channel-secret-0123456789";
    private FaultPlatform Platform => fixture.Platform;

    [Fact]
    public async Task An_intake_interruption_is_notified_once_when_it_starts_and_once_when_it_ends()
    {
        await Platform.JudgingLeaderAsync(TimeSpan.FromSeconds(30));
        var before = (await Platform.IncidentsAsync()).Select(i => i.Id).ToHashSet();
        var known = Platform.Webhooks.OfEvent("platform.incident").Select(w => w.Payload.GetProperty("incident_id").GetGuid()).ToHashSet();
        bool New(ReceivedWebhook w, string state) =>
            w.Event == "platform.incident" && w.Payload.GetProperty("state").GetString() == state
            && !known.Contains(w.Payload.GetProperty("incident_id").GetGuid());

        await Platform.Ingest.FreezeAsync();
        DateTimeOffset thawedAt;
        try
        {
            // The detector notices (the API shows the interruption open), then the fault lasts a few seconds more.
            await Eventually.Async(async () => (await Platform.IncidentsAsyncOrEmpty()).Where(i => !before.Contains(i.Id)).ToList(),
                news => news.Count >= 1, "an open intake interruption", TimeSpan.FromSeconds(30));
            await Task.Delay(TimeSpan.FromSeconds(3)); // the fault lasts; not synchronisation
        }
        finally
        {
            await Platform.Ingest.ThawAsync();
            thawedAt = DateTimeOffset.UtcNow;
        }
        // Bounds for a loaded box: the detector's daemon may read the stored interruption only once intake works again.
        var started = (await WaitAsync(w => New(w, "started"), "platform.incident started webhook"))[0];
        var ended = (await WaitAsync(w => New(w, "ended"), "platform.incident ended webhook"))[0];
        var incident = (await Eventually.Async(
            async () => (await Platform.IncidentsAsync()).Where(i => !before.Contains(i.Id)).ToList(),
            news => news.Count >= 1 && news.All(i => i.EndedAt is not null), "one ended intake interruption recorded", TimeSpan.FromSeconds(30))).Single();
        await Task.Delay(TimeSpan.FromSeconds(2)); // a window in which a duplicate would show, not synchronisation

        var told = Platform.Webhooks.OfEvent("platform.incident").Where(w => w.Payload.GetProperty("incident_id").GetGuid() == incident.Id).ToList();
        Assert.Equal(["started", "ended"], told.Select(w => w.Payload.GetProperty("state").GetString()));
        Assert.Equal(incident.Id, started.Payload.GetProperty("incident_id").GetGuid());
        Assert.Equal(incident.StartedAt, started.Payload.GetProperty("started_at").GetDateTimeOffset());
        Assert.Equal(incident.EndedAt, ended.Payload.GetProperty("ended_at").GetDateTimeOffset());
        // The webhook rounds to milliseconds; the API does not: equal within a millisecond (not "to 2 decimal places",
        // which fails whenever the two roundings fall on either side of a hundredth).
        Assert.InRange(Math.Abs(incident.DurationSeconds!.Value - ended.Payload.GetProperty("duration_seconds").GetDouble()), 0, 0.001);
        Assert.True(ended.ReceivedAt >= started.ReceivedAt, "the end was told before the start");
        Assert.Equal(Platform.Gateway.BaseAddress.ToString(), started.Payload.GetProperty("dashboard_url").GetString());
        foreach (var w in told)
            Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(ChannelSecret), Encoding.UTF8.GetBytes(w.Body))), w.Signature);
        Console.WriteLine($"intake interrupted {incident.DurationSeconds:F1} s ({incident.Cause}): started told {(started.ReceivedAt - incident.StartedAt).TotalSeconds:F1} s after its start ({(started.ReceivedAt < thawedAt ? "while it lasted" : "after the thaw")}), ended told {(ended.ReceivedAt - incident.EndedAt!.Value).TotalSeconds:F1} s after its end");
    }

    private async Task<IReadOnlyList<ReceivedWebhook>> WaitAsync(Func<ReceivedWebhook, bool> match, string what)
    {
        try
        {
            return await Platform.Webhooks.WaitForAsync(match, what, TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{Platform.Logs()}", e);
        }
    }
}
