using System.Runtime.InteropServices;
using Heartbeat.IntegrationTests.Platform;

namespace Heartbeat.IntegrationTests.Agent;

/// <summary>
/// The linux-arm64 native agent, which scripts/publish-agent cross-compiles on x64, run against the platform the
/// fixture started: under qemu-user on an x64 machine (scripts/test installs it), directly on an arm64 one. Proof that
/// the executable works, not only that it links.
/// </summary>
[Collection(PlatformCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class Arm64AgentTests(PlatformFixture platform)
{
    private const ushort ElfMachineAarch64 = 183; // EM_AARCH64, in the ELF header's e_machine

    // Debian's arm64 cross C runtime (libc6-arm64-cross, installed with the cross toolchain): the dynamic loader and
    // the C libraries the executable links against, which qemu takes from here instead of the host's x64 ones.
    private const string Arm64LibraryRoot = "/usr/aarch64-linux-gnu";

    private static string Executable => Path.Combine(BuiltPrograms.RepositoryRoot, "artifacts", "agent", "linux-arm64", "heartbeat-agent");

    [Fact]
    public async Task The_arm64_agent_keeps_a_machine_online_and_stops_on_SIGTERM()
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: run scripts/publish-agent linux-arm64 (scripts/test does)");
        Assert.Equal(ElfMachineAarch64, ElfMachine(Executable));
        var (program, prefix) = Arm64Runner();
        var machine = await platform.RegisterAsync(thresholdSeconds: 30);
        var registered = await platform.CountEventsAsync(machine.Id);
        var environment = new Dictionary<string, string>
        {
            ["HEARTBEAT_URL"] = platform.Gateway.BaseAddress.ToString(),
            ["HEARTBEAT_MACHINE_ID"] = machine.Id.ToString(),
            ["HEARTBEAT_TOKEN"] = machine.Token,
            ["HEARTBEAT_INTERVAL"] = "1s",
        };
        // A passing check and a metric: the emulated agent also starts processes, and its heartbeat stays "ok".
        await using var agent = new AgentProcess(BuiltPrograms.StartProgram(program,
            [.. prefix, Executable, "--check", "true", "--metric", "load=echo 0.25"], environment));

        // Emulation slows the start and every request: bounds generous for a loaded box, each failure with the agent's log.
        var online = await Eventually.Async(() => StatusAsync(machine.Id), m => m.Status == "online" || agent.HasExited,
            "the arm64 agent's heartbeats make the machine online", 90);
        Assert.True(online is { Status: "online", ReportedStatus: "ok" }, $"expected online and ok, got {online.Status}/{online.ReportedStatus} {online.Message}\n{agent.Log}");
        // It keeps sending (stored heartbeats in the event store), not just once.
        var stored = await Eventually.Async(async () => await platform.CountEventsAsync(machine.Id) - registered, n => n >= 3 || agent.HasExited,
            "three heartbeats of the arm64 agent stored", 60);
        Assert.True(stored >= 3 && !agent.HasExited, $"the agent should keep sending; {stored} heartbeats stored, exited: {agent.HasExited}\n{agent.Log}");

        var stoppedIn = await agent.TerminateAsync();
        Assert.True(agent.ExitCode == 0, $"SIGTERM should end the agent with exit code 0, got {agent.ExitCode}\n{agent.Log}");
        Assert.True(stoppedIn < TimeSpan.FromSeconds(10), $"SIGTERM should stop the agent at once; it took {stoppedIn}");
        await platform.Machines.Pause(machine.Id);
    }

    private async Task<Heartbeat.Contracts.Http.MachineView> StatusAsync(Guid id) => (await platform.Machines.Get(id)).Content!;

    /// <summary>What runs an arm64 executable here: itself on arm64; qemu-user with the arm64 C runtime elsewhere.</summary>
    private static (string Program, string[] Prefix) Arm64Runner()
    {
        if (RuntimeInformation.OSArchitecture == Architecture.Arm64) return (Executable, []);
        // Not skipped when missing: a suite that silently stops testing the arm64 agent would look green.
        var qemu = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(dir => new[] { Path.Combine(dir, "qemu-aarch64"), Path.Combine(dir, "qemu-aarch64-static") })
            .FirstOrDefault(File.Exists);
        Assert.True(qemu is not null,
            $"qemu-aarch64 not found on PATH: on this {RuntimeInformation.OSArchitecture} machine the linux-arm64 agent runs under qemu-user (apt-get install qemu-user; scripts/test installs it)");
        Assert.True(File.Exists(Path.Combine(Arm64LibraryRoot, "lib", "ld-linux-aarch64.so.1")),
            $"{Arm64LibraryRoot}/lib/ld-linux-aarch64.so.1 not found: qemu needs the arm64 C runtime (libc6-arm64-cross; scripts/publish-agent linux-arm64 installs it)");
        return (qemu, ["-L", Arm64LibraryRoot]);
    }

    /// <summary>e_machine of a 64-bit little-endian ELF file; fails on anything else.</summary>
    private static ushort ElfMachine(string path)
    {
        var header = new byte[20];
        using (var file = File.OpenRead(path)) file.ReadExactly(header);
        Assert.True(header is [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1, ..], $"{path} is not a 64-bit little-endian ELF file");
        return BitConverter.ToUInt16(header, 18);
    }
}
