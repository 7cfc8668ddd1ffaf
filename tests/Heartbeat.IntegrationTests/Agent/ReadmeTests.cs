using System.Diagnostics;
using System.Text.RegularExpressions;
using Heartbeat.Contracts.Http;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Agent;

/// <summary>The commands agent/README.md gives, run as written against the platform the fixture started.</summary>
[Collection(PlatformCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ReadmeTests(PlatformFixture platform)
{
    /// <summary>The lines of the first fenced block after the marker <c>&lt;!-- test:NAME --&gt;</c>.</summary>
    private static IReadOnlyList<string> Block(string name)
    {
        var readme = File.ReadAllText(Path.Combine(BuiltPrograms.RepositoryRoot, "agent", "README.md"));
        var match = Regex.Match(readme, $@"<!-- test:{name} -->\s*```\w*\n(.*?)```", RegexOptions.Singleline);
        Assert.True(match.Success, $"agent/README.md has no block marked test:{name}");
        return match.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    private string GatewayUrl => platform.Gateway.BaseAddress.ToString().TrimEnd('/');

    private static Process StartBash(string line, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("bash", ["-c", line]) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = BuiltPrograms.RepositoryRoot };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("HEARTBEAT_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        return Process.Start(start)!;
    }

    private static async Task<CliResult> RunAsync(string line, IReadOnlyDictionary<string, string> environment)
    {
        using var process = StartBash(line, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task The_curl_one_liner_sends_a_heartbeat()
    {
        var line = Assert.Single(Block("curl-one-liner"));
        var machine = await platform.RegisterAsync(thresholdSeconds: 60);

        var result = await RunAsync(line, new Dictionary<string, string>
        {
            ["HEARTBEAT_URL"] = GatewayUrl, ["HEARTBEAT_MACHINE_ID"] = machine.Id.ToString(), ["HEARTBEAT_TOKEN"] = machine.Token,
        });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("\"heartbeat_received\":true", result.Stdout);
        await Eventually.Async(async () => (await platform.Machines.Get(machine.Id)).Content!, m => m.Status == "online", "online after the curl heartbeat", 20);
    }

    [Fact]
    public async Task The_three_lines_take_a_machine_from_nothing_to_online()
    {
        var lines = Block("three-lines");
        Assert.Equal(3, lines.Count);
        // Step 2 installs the native agent users get; scripts/test publishes it (scripts/publish-agent).
        var native = Path.Combine(BuiltPrograms.RepositoryRoot, "artifacts", "agent", "linux-x64", "heartbeat-agent");
        Assert.True(File.Exists(native), $"{native} is missing: run scripts/publish-agent (scripts/test does)");
        var before = (await platform.Machines.List(q: "web-1")).Content!.Machines.Select(m => m.Id).ToHashSet();

        // `heartbeat` on PATH as an installed program: here, the CLI build under test.
        var bin = Directory.CreateTempSubdirectory("hb-bin-").FullName;
        await File.WriteAllTextAsync(Path.Combine(bin, "heartbeat"), $"#!/bin/sh\nexec dotnet '{BuiltPrograms.CliDll}' \"$@\"\n");
        File.SetUnixFileMode(Path.Combine(bin, "heartbeat"), (UnixFileMode)0b111_101_101);
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = $"{bin}:/usr/local/bin:{Environment.GetEnvironmentVariable("PATH")}",
            ["HEARTBEAT_URL"] = GatewayUrl, ["HEARTBEAT_ADMIN_KEY"] = PlatformFixture.AdminKey,
        };

        // The lines as written, in one shell, as root, in a private mount namespace whose /usr/local/bin is an
        // empty tmpfs: step 2's install lands there and vanishes with the test, not on the machine running it.
        var script = "mount -t tmpfs heartbeat-readme /usr/local/bin || exit 97\n" + string.Join('\n', lines) + "\n";
        var start = new ProcessStartInfo("unshare", ["--mount", "--propagation", "private", "bash", "-c", script])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = BuiltPrograms.RepositoryRoot,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("HEARTBEAT_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var shell = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        shell.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        shell.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        shell.BeginOutputReadLine();
        shell.BeginErrorReadLine();
        try
        {
            var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
            MachineView? machine = null;
            while (machine is not { Status: "online" })
            {
                Assert.False(shell.HasExited, $"the three lines ended (exit {(shell.HasExited ? shell.ExitCode : 0)}) instead of running the agent:\n{string.Join('\n', output)}");
                Assert.True(DateTimeOffset.UtcNow < deadline, $"no new web-1 online within 60 s (last seen: {machine?.Status ?? "not registered"}):\n{string.Join('\n', output)}");
                await Task.Delay(250);
                var added = (await platform.Machines.List(q: "web-1")).Content!.Machines.Where(m => m.Name == "web-1" && !before.Contains(m.Id)).ToList();
                Assert.True(added.Count <= 1, "step 1 should register exactly one machine");
                machine = added.Count == 1 ? (await platform.Machines.Get(added[0].Id)).Content : null;
            }
            Assert.Equal(30, machine.ExpectedIntervalSeconds);
            // The agent that runs is the native executable step 2 installed (its process is named after it), not `dotnet`.
            Assert.True(ProcessTree(shell.Id).Any(pid => Comm(pid) == "heartbeat-agent"),
                $"no process named heartbeat-agent under the shell: {string.Join(", ", ProcessTree(shell.Id).Select(Comm))}");
            await platform.Machines.Pause(machine.Id);
        }
        finally
        {
            if (!shell.HasExited) shell.Kill(entireProcessTree: true);
            await shell.WaitForExitAsync();
        }
    }

    /// <summary>The process and its descendants, from /proc.</summary>
    private static List<int> ProcessTree(int root)
    {
        var parents = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(n => int.Parse(n!))
            .Select(pid => (pid, parent: ParentOf(pid))).ToList();
        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++) tree.AddRange(parents.Where(p => p.parent == tree[i]).Select(p => p.pid));
        return tree;
    }

    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return null; // ended meanwhile
        }
    }

    private static string Comm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }
}
