using System.Net.Http.Json;
using Heartbeat.Contracts.Http;
using Heartbeat.Faults.Harness;

namespace Heartbeat.Faults;

/// <summary>One leader judges; a standby takes over in seconds, with no duplicate and no false transition.</summary>
[Collection(FaultCollection.Name)]
public class LeaderTakeoverTests(FaultFixture fixture)
{
    private FaultPlatform Platform => fixture.Platform;

    [Fact]
    public async Task Two_detectors_started_together_elect_exactly_one_leader()
    {
        await Platform.JudgingLeaderAsync(TimeSpan.FromSeconds(30));

        // Sampled over two seconds: at no moment do both lead.
        for (var sample = 0; sample < 10; sample++)
        {
            var views = await Task.WhenAll(Platform.Detectors.Select(Platform.DetectionAsync));
            Assert.All(views, v => Assert.NotNull(v));
            Assert.Equal(1, views.Count(v => v!.Role == "leader"));
            Assert.Equal(views.Length - 1, views.Count(v => v!.Role == "standby"));
            await Task.Delay(200);
        }
    }

    [Fact]
    public Task Leader_killed_under_load_is_replaced_within_seconds_with_every_due_machine_judged_once() =>
        TakeOverAsync("kill -9", leader => leader.KillAsync(), leadWithin: TimeSpan.FromSeconds(5), judgeWithin: TimeSpan.FromSeconds(5));

    [Fact]
    public Task Leader_stopped_gracefully_hands_over_at_once() =>
        // Issue 13's bounds: the lock within 1 s and judging within 1 s (the fresh-clone run of 2026-11-27 23:36 measured
        // 54 ms and 121 ms; docs/reliability.md).
        TakeOverAsync("SIGTERM", leader => leader.StopAsync(), leadWithin: TimeSpan.FromSeconds(1), judgeWithin: TimeSpan.FromSeconds(1));

    private async Task TakeOverAsync(string how, Func<ServiceProcess, Task> end, TimeSpan leadWithin, TimeSpan judgeWithin)
    {
        var leader = await Platform.JudgingLeaderAsync(TimeSpan.FromSeconds(30));
        var standby = Platform.Detectors.Single(d => d != leader);
        var healthy = new List<RegisteredMachine>();
        for (var i = 0; i < 10; i++) healthy.Add(await Platform.RegisterAsync($"{how} healthy {i}"));
        var due = new List<RegisteredMachine>();
        for (var i = 0; i < 3; i++) due.Add(await Platform.RegisterAsync($"{how} due {i}"));
        var agents = healthy.Select(Platform.KeepSending).ToList();
        await Task.Delay(TimeSpan.FromSeconds(2)); // every healthy agent has sent and been read: load, not synchronisation
        foreach (var m in due) await Platform.SendAsync(m); // their deadlines pass during the takeover

        var endedAt = DateTimeOffset.UtcNow;
        await end(leader);
        var took = await Eventually.Async(() => Platform.DetectionAsync(standby), v => v?.JudgingSince is not null,
            $"the standby judging after the leader's {how}", TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(20));
        var leading = took!.LeaderSince!.Value - endedAt;
        var judging = took.JudgingSince!.Value - endedAt;
        Console.WriteLine($"{how}: standby held the lock {leading.TotalMilliseconds:F0} ms and judged {judging.TotalMilliseconds:F0} ms after the leader's end");
        await Platform.StartLiveAsync(leader); // back as a standby

        await Eventually.Async(() => Platform.TransitionsAsync(due.Select(m => m.Id)), t => t.Offline >= due.Count,
            "every due machine judged offline by the new leader", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(2)); // a window in which a duplicate or false transition would show
        foreach (var agent in agents) await agent.CancelAsync();
        foreach (var m in healthy.Concat(due)) await Platform.Machines.Pause(m.Id);

        Assert.Equal((0L, 0L, 0L), await Platform.TransitionsAsync(healthy.Select(m => m.Id)));
        foreach (var m in due) Assert.Equal((1L, 0L, 0L), await Platform.TransitionsAsync([m.Id]));
        var views = await Task.WhenAll(Platform.Detectors.Select(Platform.DetectionAsync));
        Assert.Equal(1, views.Count(v => v?.Role == "leader"));
        Assert.True(leading <= leadWithin, $"after {how} the standby took the lock only after {leading.TotalMilliseconds:F0} ms (promise: {leadWithin.TotalSeconds} s)\n{standby.Tail(40)}\n{leader.Tail(20)}");
        // The standby is warm (memory, canary watch, read-ahead), so judging follows the lock closely.
        Assert.True(judging <= judgeWithin, $"after {how} the standby judged only after {judging.TotalMilliseconds:F0} ms (bound: {judgeWithin.TotalSeconds} s)\n{standby.Tail(40)}\n{leader.Tail(20)}");
    }

    [Fact]
    public async Task The_standby_serves_the_same_machines_as_the_leader()
    {
        var leader = await Platform.JudgingLeaderAsync(TimeSpan.FromSeconds(30));
        var standby = Platform.Detectors.Single(d => d != leader);
        var fresh = await Platform.RegisterAsync("board never seen");
        var paused = await Platform.RegisterAsync("board paused");
        var silent = await Platform.RegisterAsync("board silent");
        Assert.True((await Platform.Machines.Pause(paused.Id)).IsSuccessStatusCode);
        await Platform.SendAsync(silent);
        Guid[] ours = [fresh.Id, paused.Id, silent.Id];

        // The silent one goes offline on the leader; the standby's board, fed from its own warm memory, agrees.
        var boards = await Eventually.Async(() => BoardsAsync(leader, standby, ours),
            b => b.Leader == "never seen=new, paused=paused, silent=offline" && b.Standby == b.Leader,
            "the leader and the standby listing the same machines with the same statuses", TimeSpan.FromSeconds(40));
        // And back: the online transition the leader's tracker appends reaches the standby's board too.
        await Platform.SendAsync(silent);
        static bool Back(string board) => board.StartsWith("never seen=new, paused=paused, silent=", StringComparison.Ordinal)
            && (board.EndsWith("=online", StringComparison.Ordinal) || board.EndsWith("=late", StringComparison.Ordinal));
        await Eventually.Async(() => BoardsAsync(leader, standby, ours), b => Back(b.Leader) && Back(b.Standby),
            $"the silent machine back on both boards (before: {boards})", TimeSpan.FromSeconds(40));
        foreach (var id in ours) await Platform.Machines.Pause(id);
    }

    /// <summary>Each detector's own <c>GET /api/machines</c>, asked directly (not through the gateway), for these machines: "name=status, ...".</summary>
    private async Task<(string Leader, string Standby)> BoardsAsync(ServiceProcess leader, ServiceProcess standby, IReadOnlyCollection<Guid> ids)
    {
        async Task<string> Board(ServiceProcess detector)
        {
            using var http = FaultPlatform.Admin(detector.BaseAddress);
            var page = await http.GetFromJsonAsync<MachinePage>("/api/machines?sort=name&limit=1000&q=board", HeartbeatJson.Options);
            return string.Join(", ", page!.Machines.Where(m => ids.Contains(m.Id)).Select(m => $"{m.Name["board ".Length..]}={m.Status}"));
        }
        return (await Board(leader), await Board(standby));
    }
}
