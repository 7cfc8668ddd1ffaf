using Heartbeat.Contracts.Events;
using Heartbeat.Prober.Probing;
using Heartbeat.Prober.Targets;

namespace Heartbeat.Prober.Tests;

public class ProbeTargetTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly ProbeSettings Tcp = new(ProbeType.Tcp, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), Host: "db", Port: 5432);

    private static ProbeTarget Registered(ProbeSettings? probe) =>
        ProbeTarget.Create(new MachineRegistered(Guid.CreateVersion7(), "db", null, null, [], null, null, "hash", At, probe));

    [Fact]
    public void A_machine_registered_with_a_probe_is_probed_until_paused_or_retired()
    {
        var target = Registered(Tcp);
        Assert.True(target.IsProbed);
        Assert.False(target.Apply(new MonitoringPaused(target.Id, At)).IsProbed);
        Assert.True(target.Apply(new MonitoringPaused(target.Id, At)).Apply(new MonitoringResumed(target.Id, At)).IsProbed);
        Assert.False(target.Apply(new MachineRetired(target.Id, At)).IsProbed);
        Assert.False(Registered(null).IsProbed);
    }

    [Fact]
    public void Sending_the_probe_again_forgets_the_pinned_host_key_and_other_settings_keep_it()
    {
        var target = Registered(Tcp).Apply(new ProbeHostKeyPinned(Guid.Empty, "ssh-ed25519", "SHA256:abc", At));
        Assert.Equal("SHA256:abc", target.PinnedHostKey);
        Assert.Equal("SHA256:abc", target.Apply(new MachineSettingsChanged(target.Id, "renamed", null, null, null, null, null, At)).PinnedHostKey);
        Assert.Null(target.Apply(new MachineSettingsChanged(target.Id, null, null, null, null, null, null, At, Tcp)).PinnedHostKey);
    }

    [Fact]
    public void The_last_error_follows_failures_and_recoveries()
    {
        var target = Registered(Tcp).Apply(new ProbeFailed(Guid.Empty, "refused", At));
        Assert.Equal("refused", target.LastProbeError);
        Assert.Null(target.Apply(new ProbeRecovered(Guid.Empty, At)).LastProbeError);
    }

    [Theory]
    [InlineData("disk full\nsecond", "disk full")]
    [InlineData("\n  \n  padded  \n", "padded")]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void A_command_message_is_its_first_non_blank_line(string? output, string? expected) =>
        Assert.Equal(expected, SshProbe.FirstLine(output));
}
