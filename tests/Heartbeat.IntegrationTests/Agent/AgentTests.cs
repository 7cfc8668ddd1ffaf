using System.Net;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Agent;

/// <summary>The built heartbeat-agent against the platform the fixture started.</summary>
[Collection(PlatformCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AgentTests(PlatformFixture platform)
{
    private Dictionary<string, string> AgentEnvironment(RegisteredMachine machine, string interval = "1s") => new()
    {
        ["HEARTBEAT_URL"] = platform.Gateway.BaseAddress.ToString(),
        ["HEARTBEAT_MACHINE_ID"] = machine.Id.ToString(),
        ["HEARTBEAT_TOKEN"] = machine.Token,
        ["HEARTBEAT_INTERVAL"] = interval,
    };

    private async Task<MachineView> StatusAsync(Guid id) => (await platform.Machines.Get(id)).Content!;

    [Fact]
    public async Task Agent_keeps_a_machine_online_and_stopping_it_makes_the_machine_offline_once()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 3);
        await using var agent = new AgentProcess(AgentEnvironment(machine));

        await Eventually.Async(() => StatusAsync(machine.Id), m => m.Status == "online", "the agent's heartbeats make the machine online", 30);
        // Two thresholds' worth of time: a machine whose agent sends every second never goes offline.
        var until = DateTimeOffset.UtcNow.AddSeconds(7);
        while (DateTimeOffset.UtcNow < until)
        {
            var status = await StatusAsync(machine.Id);
            Assert.True(status.Status == "online", $"expected online while the agent runs, got {status.Status}\n{agent.Log}");
            await Task.Delay(500);
        }
        Assert.Empty(platform.Webhooks.For(machine.Id));

        var stoppedIn = await agent.TerminateAsync();
        Assert.Equal(0, agent.ExitCode);
        Assert.True(stoppedIn < TimeSpan.FromSeconds(3), $"SIGTERM should stop the agent at once; it took {stoppedIn}");

        await platform.Webhooks.WaitForAsync(machine.Id, "machine.offline", TimeSpan.FromSeconds(20));
        // Another two thresholds: still exactly one offline transition for this silence.
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Single(platform.Webhooks.For(machine.Id), w => w.Event == "machine.offline");
        Assert.Equal("offline", (await StatusAsync(machine.Id)).Status);
    }

    [Fact]
    public async Task A_failing_check_turns_the_machine_warning_with_the_checks_name_and_first_line()
    {
        var machine = await platform.RegisterAsync(thresholdSeconds: 30);
        var flag = Path.Combine(Path.GetTempPath(), $"hb-check-{Guid.NewGuid():N}");
        await using var agent = new AgentProcess(AgentEnvironment(machine),
            "--check", "true", "--check", $"disk=test ! -e {flag} || {{ echo 'disk / is 97% full'; echo second line; exit 1; }}",
            "--metric", "load=echo 0.25");

        await Eventually.Async(() => StatusAsync(machine.Id), m => m.Status == "online" && m.ReportedStatus == "ok", "online with passing checks", 30);
        await File.WriteAllTextAsync(flag, "");
        try
        {
            var warned = await Eventually.Async(() => StatusAsync(machine.Id), m => m.Status == "warning", "warning once the check fails", 30);
            Assert.Equal("disk: disk / is 97% full", warned.Message);
        }
        finally
        {
            File.Delete(flag);
        }
        await Eventually.Async(() => StatusAsync(machine.Id), m => m.Status == "online", "online again once the check passes", 30);
        Assert.DoesNotContain(agent.Lines, l => l.Contains("metric load"));
    }

    [Fact]
    public async Task Enrolling_the_same_name_and_hostname_twice_gives_one_machine_and_revokes_the_first_token()
    {
        var name = $"enrolled-{Guid.NewGuid():N}"[..17];
        var directory = Directory.CreateTempSubdirectory("hb-enroll-");
        var environment = new Dictionary<string, string> { ["HEARTBEAT_URL"] = platform.Gateway.BaseAddress.ToString() };
        async Task<AgentState> EnrollOnceAsync(string stateFile)
        {
            await using var agent = new AgentProcess(environment,
                "--enroll", PlatformFixture.EnrollmentKey, "--name", name, "--tag", "enrolled", "--state-file", stateFile, "--once");
            var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
            while (!agent.HasExited && DateTimeOffset.UtcNow < deadline) await Task.Delay(100);
            Assert.True(agent.HasExited && agent.ExitCode == 0, $"the agent should enrol, send once and exit 0\n{agent.Log}");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(stateFile));
            return System.Text.Json.JsonSerializer.Deserialize<AgentState>(await File.ReadAllTextAsync(stateFile), HeartbeatJson.Options)!;
        }

        var first = await EnrollOnceAsync(Path.Combine(directory.FullName, "first", "state.json"));
        var second = await EnrollOnceAsync(Path.Combine(directory.FullName, "second", "state.json"));

        Assert.Equal(first.MachineId, second.MachineId);
        Assert.NotEqual(first.Token, second.Token);
        var machines = (await platform.Machines.List(q: name)).Content!.Machines.Where(m => m.Name == name).ToList();
        Assert.Single(machines);
        Assert.Equal(["enrolled"], machines[0].Tags);
        Assert.Equal(HttpStatusCode.Unauthorized, (await platform.Heartbeats.SendHeartbeat(first.MachineId, null, first.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await platform.Heartbeats.SendHeartbeat(second.MachineId, null, second.Token)).StatusCode);
        await Eventually.Async(() => StatusAsync(first.MachineId), m => m.Status == "online", "the enrolled machine is online", 30);
    }

    [Fact]
    public async Task Enrolment_with_a_wrong_key_is_refused_and_the_agent_exits_with_a_configuration_error()
    {
        var state = Path.Combine(Directory.CreateTempSubdirectory("hb-enroll-").FullName, "state.json");
        await using var agent = new AgentProcess(new Dictionary<string, string> { ["HEARTBEAT_URL"] = platform.Gateway.BaseAddress.ToString() },
            "--enroll", "not-the-key", "--state-file", state);
        var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
        while (!agent.HasExited && DateTimeOffset.UtcNow < deadline) await Task.Delay(100);
        Assert.True(agent.HasExited, "a refused enrolment should end the agent");
        Assert.Equal(78, agent.ExitCode);
        Assert.Contains(agent.Lines, l => l.Contains("enrolment refused (401)"));
        Assert.False(File.Exists(state));
    }

    [Fact]
    public async Task An_agent_whose_token_a_new_enrolment_revoked_enrols_again_once_and_goes_on()
    {
        var name = $"reenrol-{Guid.NewGuid():N}"[..16];
        var directory = Directory.CreateTempSubdirectory("hb-reenrol-").FullName;
        var environment = new Dictionary<string, string> { ["HEARTBEAT_URL"] = platform.Gateway.BaseAddress.ToString(), ["HEARTBEAT_INTERVAL"] = "1s" };
        var stateFile = Path.Combine(directory, "agent", "state.json");
        async Task<AgentState> ReadStateAsync(string path) =>
            System.Text.Json.JsonSerializer.Deserialize<AgentState>(await File.ReadAllTextAsync(path), HeartbeatJson.Options)!;
        // The same name and hostname (this box's) enrolled from another state file: a re-imaged copy elsewhere.
        async Task<AgentState> EnrollElsewhereAsync(string label)
        {
            var elsewhere = Path.Combine(directory, label, "state.json");
            await using var other = new AgentProcess(environment, "--enroll", PlatformFixture.EnrollmentKey, "--name", name, "--state-file", elsewhere, "--once");
            await Eventually.Async(() => Task.FromResult(other.HasExited), exited => exited, $"the enrolment {label} finishes\n{other.Log}", 60);
            // Its enrolment must succeed; its one heartbeat may not: the running agent, refused, may enrol again
            // between the two and so revoke this copy's token in turn (exit 1) — the race the once-per-run rule bounds.
            Assert.True(File.Exists(elsewhere) && other.Log.Contains("enrolled as machine"), $"the enrolment {label} succeeds\n{other.Log}");
            return await ReadStateAsync(elsewhere);
        }
        static bool EnrolledAgain(string line) => line.Contains("(401)") && line.Contains("enrolled as machine");

        await using var agent = new AgentProcess(environment, "--enroll", PlatformFixture.EnrollmentKey, "--name", name, "--state-file", stateFile);
        await Eventually.Async(() => Task.FromResult(File.Exists(stateFile)), exists => exists, $"the agent enrols\n{agent.Log}", 60);
        var first = await ReadStateAsync(stateFile);
        await Eventually.Async(() => StatusAsync(first.MachineId), m => m.Status == "online", "the enrolled machine is online", 30);

        var second = await EnrollElsewhereAsync("second");
        Assert.Equal(first.MachineId, second.MachineId);

        // The running agent's token is refused now: it enrols again, once, with one log line, and goes on.
        await Eventually.Async(() => Task.FromResult(agent.Lines), lines => lines.Any(EnrolledAgain), $"the agent enrols again after the 401\n{agent.Log}", 30);
        var renewed = await ReadStateAsync(stateFile);
        Assert.Equal(first.MachineId, renewed.MachineId);
        Assert.NotEqual(first.Token, renewed.Token);
        Assert.NotEqual(second.Token, renewed.Token);
        var after = DateTimeOffset.UtcNow;
        await Eventually.Async(() => StatusAsync(first.MachineId), m => m.Status == "online" && m.LastSeen > after.AddSeconds(1),
            "the agent's heartbeats are stored again with the new token", 30);
        Assert.False(agent.HasExited, agent.Log);

        // A second revocation is not answered by a second enrolment (two copies would revoke each other for ever):
        // the agent says why its heartbeats fail and keeps trying with back-off.
        await EnrollElsewhereAsync("third");
        await Eventually.Async(() => Task.FromResult(agent.Lines), lines => lines.Any(l => l.Contains("enrolled again once already")),
            $"the agent reports the second refusal\n{agent.Log}", 30);
        Assert.Single(agent.Lines, EnrolledAgain);
        Assert.Single((await platform.Machines.List(q: name)).Content!.Machines, m => m.Name == name);
    }

    private sealed record AgentState(Guid MachineId, string Token);
}
