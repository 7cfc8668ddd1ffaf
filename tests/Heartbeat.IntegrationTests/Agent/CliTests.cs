using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Agent;

/// <summary>Every `heartbeat` command and exit code, run as the built CLI against the platform the fixture started.</summary>
[Collection(PlatformCollection.Name)]
public sealed class CliTests(PlatformFixture platform)
{
    private Dictionary<string, string> Environment(string? key = PlatformFixture.AdminKey) => key is null
        ? new() { ["HEARTBEAT_URL"] = platform.Gateway.BaseAddress.ToString() }
        : new() { ["HEARTBEAT_URL"] = platform.Gateway.BaseAddress.ToString(), ["HEARTBEAT_ADMIN_KEY"] = key };

    private Task<CliResult> Cli(params string[] args) => BuiltPrograms.RunCliAsync(Environment(), args);

    private static string Tag() => $"t{Guid.NewGuid():N}"[..12];

    [Fact]
    public async Task Machines_add_prints_the_id_the_token_and_an_agent_command_that_works()
    {
        var add = await Cli("machines", "add", $"cli-{Tag()}", "--threshold", "2m", "--interval", "30s", "--tag", "web", "--hostname", "web-9.example.com");
        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.Contains("token", add.Stdout);
        var command = add.Stdout.Split('\n').Single(l => l.Contains("heartbeat-agent")).Trim();
        Assert.Matches("^HEARTBEAT_URL=\\S+ HEARTBEAT_MACHINE_ID=\\S+ HEARTBEAT_TOKEN=hb_\\S+ HEARTBEAT_INTERVAL=30s heartbeat-agent$", command);

        var json = await Cli("machines", "add", $"cli-{Tag()}", "--threshold", "90s", "--json");
        Assert.Equal(0, json.ExitCode);
        var id = json.Json.GetProperty("id").GetGuid();
        var machine = (await platform.Machines.Get(id)).Content!;
        Assert.Equal(90, machine.OfflineThresholdSeconds);
        Assert.StartsWith("hb_", json.Json.GetProperty("token").GetString());
    }

    [Fact]
    public async Task Machines_list_exits_0_when_fine_1_when_warning_2_when_offline()
    {
        var tag = Tag();
        var fine = await RegisterTaggedAsync($"fine-{tag}", tag, 60);
        await platform.SendHeartbeatAsync(fine);
        await Eventually.Async(() => Cli("machines", "list", "--tag", tag, "--json"), r => r.Stdout.Contains("\"online\""), "the machine shows online", 20);

        var ok = await Cli("machines", "list", "--tag", tag, "--verbose");
        Assert.True(ok.ExitCode == 0, ok.ToString());
        Assert.Contains($"fine-{tag}", ok.Stdout);
        Assert.Contains("1 machine: 1 online", ok.Stdout);
        Assert.Contains("THRESHOLD", ok.Stdout);

        var warn = await RegisterTaggedAsync($"warn-{tag}", tag, 60);
        await platform.SendHeartbeatAsync(warn, new HeartbeatRequest(Status: "warning", Message: "disk full"));
        var warning = await Eventually.Async(() => Cli("machines", "list", "--tag", tag), r => r.ExitCode == 1, "exit 1 with a machine warning", 20);
        Assert.Contains("warning", warning.Stdout);

        var down = await RegisterTaggedAsync($"down-{tag}", tag, 1);
        await platform.SendHeartbeatAsync(down);
        await platform.Webhooks.WaitForAsync(down.Id, "machine.offline", TimeSpan.FromSeconds(20));
        var offline = await Eventually.Async(() => Cli("machines", "list", "--tag", tag), r => r.ExitCode == 2, "exit 2 with a machine offline", 20);
        Assert.Contains("offline", offline.Stdout);

        var onlyOffline = await Cli("machines", "list", "--tag", tag, "--status", "offline", "--json");
        Assert.Equal(2, onlyOffline.ExitCode);
        Assert.Equal([$"down-{tag}"], onlyOffline.Json.EnumerateArray().Select(m => m.GetProperty("name").GetString()));
    }

    // A tag of the test's own, so the listing shows only its machines.
    private async Task<RegisteredMachine> RegisterTaggedAsync(string name, string tag, int thresholdSeconds)
    {
        var response = await platform.Machines.Register(new RegisterMachineRequest(name, "host.test", null, [tag], thresholdSeconds));
        Assert.True(response.IsSuccessStatusCode, $"register: {response.StatusCode}");
        return response.Content!;
    }

    [Fact]
    public async Task Show_pause_resume_history_and_remove_work_by_name()
    {
        var name = $"ops-{Tag()}";
        var machine = await platform.RegisterAsync(thresholdSeconds: 1, name: name);
        await platform.RunEpisodeAsync(machine); // offline, online, then paused by the fixture
        Assert.Equal(0, (await Cli("machines", "resume", name)).ExitCode);

        var show = await Cli("machines", "show", name, "--json");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Equal(machine.Id, show.Json.GetProperty("id").GetGuid());
        Assert.NotEqual("paused", show.Json.GetProperty("status").GetString());

        var pause = await Cli("machines", "pause", name);
        Assert.True(pause.ExitCode == 0, pause.ToString());
        Assert.Contains("paused", pause.Stdout);
        Assert.Equal("paused", (await platform.Machines.Get(machine.Id)).Content!.Status);
        var table = await Cli("machines", "show", machine.Id.ToString());
        Assert.Contains("paused", table.Stdout);

        var history = await Cli("machines", "history", name, "--json");
        Assert.Equal(0, history.ExitCode);
        // Newest first; resuming a machine with a 1 s threshold may already have added another offline on top.
        // The history lists every life event (registered, paused, ...); the episode is its offline and online.
        var kinds = history.Json.EnumerateArray().Select(t => t.GetProperty("kind").GetString()).Where(k => k is "online" or "offline").ToList();
        Assert.Equal(["online", "offline"], kinds.SkipWhile(k => k == "offline").Take(2));
        Assert.Contains("offline", (await Cli("machines", "history", name)).Stdout);

        var remove = await Cli("machines", "remove", name);
        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await platform.Machines.Get(machine.Id)).StatusCode);

        var gone = await Cli("machines", "show", name);
        Assert.Equal(3, gone.ExitCode);
        Assert.Contains($"There is no machine named '{name}'", gone.Stderr);
    }

    [Fact]
    public async Task Channels_add_list_and_test()
    {
        // Not the fixture's receiver: a second channel there would double every other test's webhooks.
        const string nowhere = "http://127.0.0.1:9/cli-hooks";
        var name = $"cli-hook-{Tag()}";
        var add = await Cli("channels", "add", "webhook", nowhere, "--secret", "a-long-enough-secret-123", "--name", name, "--json");
        Assert.True(add.ExitCode == 0, add.ToString());
        var id = add.Json.GetProperty("id").GetGuid();
        try
        {

        var list = await Cli("channels", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(name, list.Stdout);
        Assert.DoesNotContain("a-long-enough-secret-123", list.Stdout);

        var weak = await Cli("channels", "add", "webhook", nowhere, "--secret", "short");
        Assert.Equal(3, weak.ExitCode);
        Assert.Contains("secret", weak.Stderr);

        // Either the platform tests the channel, or the CLI says plainly that it cannot; never a silent success.
        var test = await Cli("channels", "test", name);
        Assert.True(test.ExitCode == 0 ? test.Stdout.Contains("Test notification sent") : test.Stderr.Contains("cannot test channels"), test.ToString());
        }
        finally
        {
            await platform.Channels.Delete(id);
        }
    }

    [Fact]
    public async Task Watch_prints_a_line_when_a_machine_changes()
    {
        var name = $"watched-{Tag()}";
        await using var watch = new RunningCli(BuiltPrograms.Start(BuiltPrograms.CliDll, ["watch", "--every", "300ms"], Environment()));
        var machine = await platform.RegisterAsync(thresholdSeconds: 60, name: name);
        await Eventually.Async(() => Task.FromResult(watch.Output), o => o.Contains($"{name}: new"), "watch shows the new machine", 20);
        await platform.SendHeartbeatAsync(machine);
        await Eventually.Async(() => Task.FromResult(watch.Output), o => o.Contains($"{name}: new -> online"), "watch shows it going online", 20);
    }

    [Fact]
    public async Task A_wrong_key_an_unreachable_gateway_and_no_key_are_clear_errors_with_exit_3_or_64()
    {
        var wrong = await BuiltPrograms.RunCliAsync(Environment("not-a-key"), "machines", "list");
        Assert.Equal(3, wrong.ExitCode);
        Assert.Contains("refused the key (401)", wrong.Stderr);

        var unreachable = await BuiltPrograms.RunCliAsync(new Dictionary<string, string>
        {
            ["HEARTBEAT_URL"] = "http://127.0.0.1:9", ["HEARTBEAT_ADMIN_KEY"] = PlatformFixture.AdminKey,
        }, "machines", "list");
        Assert.Equal(3, unreachable.ExitCode);
        Assert.Contains("Cannot reach the platform at http://127.0.0.1:9/", unreachable.Stderr);

        var noKey = await BuiltPrograms.RunCliAsync(Environment(key: null), "machines", "list");
        Assert.Equal(64, noKey.ExitCode);
        Assert.Contains("HEARTBEAT_ADMIN_KEY", noKey.Stderr);

        var usage = await Cli("machines", "frobnicate");
        Assert.Equal(64, usage.ExitCode);

        var flags = await BuiltPrograms.RunCliAsync(Environment(key: null), "--url", platform.Gateway.BaseAddress.ToString(), "--key", PlatformFixture.ReadKey, "machines", "list", "--json");
        Assert.True(flags.ExitCode is 0 or 1 or 2, flags.ToString());
    }
}

/// <summary>A long-running CLI (watch) whose output accumulates until it is killed.</summary>
public sealed class RunningCli : IAsyncDisposable
{
    private readonly System.Diagnostics.Process _process;
    private readonly System.Text.StringBuilder _output = new();

    public RunningCli(System.Diagnostics.Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
