using System.Diagnostics;
using System.Text.RegularExpressions;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Agent;

/// <summary>The commands agent/README.md gives, run as written against the platform the fixture started.</summary>
[Collection(PlatformCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class ReadmeTests(PlatformFixture platform)
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
        var lines = Block("three-lines").Select(l => CommentAt().Replace(l, "").Trim()).ToList();
        Assert.Equal(3, lines.Count);
        Assert.StartsWith("heartbeat machines add ", lines[0]);
        Assert.StartsWith("install ", lines[1]);
        Assert.EndsWith(" heartbeat-agent", lines[2]);

        // `heartbeat` and `heartbeat-agent` on PATH as installed programs: here, the builds under test.
        var bin = Directory.CreateTempSubdirectory("hb-bin-").FullName;
        await File.WriteAllTextAsync(Path.Combine(bin, "heartbeat"), $"#!/bin/sh\nexec dotnet '{BuiltPrograms.CliDll}' \"$@\"\n");
        File.SetUnixFileMode(Path.Combine(bin, "heartbeat"), (UnixFileMode)0b111_101_101);
        var agentProgram = Path.Combine(bin, "built-heartbeat-agent");
        await File.WriteAllTextAsync(agentProgram, $"#!/bin/sh\nexec dotnet '{BuiltPrograms.AgentDll}' \"$@\"\n");
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
            ["HEARTBEAT_URL"] = GatewayUrl, ["HEARTBEAT_ADMIN_KEY"] = PlatformFixture.AdminKey,
        };

        // 1. Register, as written.
        var registered = await RunAsync(lines[0], environment);
        Assert.True(registered.ExitCode == 0, registered.ToString());
        var printed = registered.Stdout.Split('\n').Single(l => l.TrimEnd().EndsWith(" heartbeat-agent")).Trim();
        var id = Guid.Parse(Regex.Match(printed, "HEARTBEAT_MACHINE_ID=(\\S+)").Groups[1].Value);

        // 2. Install: the README copies the published single file; here the same `install` puts the built agent on PATH.
        var install = await RunAsync($"install -m 0755 '{agentProgram}' '{Path.Combine(bin, "heartbeat-agent")}'", environment);
        Assert.True(install.ExitCode == 0, install.ToString());

        // 3. Start it with the line step 1 printed.
        using var agent = StartBash(printed, environment);
        try
        {
            var machine = await Eventually.Async(async () => (await platform.Machines.Get(id)).Content!, m => m.Status == "online",
                "the machine is online once the printed agent command runs", 30);
            Assert.Equal("web-1", machine.Name);
            Assert.Equal(30, machine.ExpectedIntervalSeconds);
        }
        finally
        {
            agent.Kill(entireProcessTree: true);
            await agent.WaitForExitAsync();
            await platform.Machines.Pause(id);
        }
    }

    [GeneratedRegex(@"\s+#\s.*$")]
    private static partial Regex CommentAt();
}
