using Heartbeat.Contracts.Events;
using Heartbeat.Prober.Probing;
using Heartbeat.Prober.Recording;
using Heartbeat.Prober.Targets;

namespace Heartbeat.Prober.Tests;

public class ProbeRecordingTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static ProbeTarget Target(string? lastError = null, string? pinned = null) => new()
    {
        Id = Guid.CreateVersion7(),
        Name = "db",
        Probe = new ProbeSettings(ProbeType.Ssh, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), Host: "db", Port: 22, User: "probe", ProtectedPrivateKey: "x"),
        LastProbeError = lastError,
        PinnedHostKey = pinned,
    };

    private static ProbeRecording.Decision Decide(ProbeTarget target, params ProbeOutcome[] outcomes) =>
        ProbeRecording.Decide(outcomes, id => id == target.Id ? target : null);

    [Fact]
    public void Successes_become_heartbeats_with_source_probe_in_one_batch()
    {
        var a = Target();
        var b = Target();
        var decision = ProbeRecording.Decide([new ProbeOutcome(a.Id, At, null), new ProbeOutcome(b.Id, At, null)], id => id == a.Id ? a : b);

        Assert.Equal([a.Id, b.Id], decision.Heartbeats.Select(h => h.MachineId));
        Assert.All(decision.Heartbeats, h => Assert.Equal((HeartbeatSource.Probe, ReportedStatus.Ok, At), (h.Source, h.Status, h.ReceivedAt)));
        Assert.Empty(decision.MachineEvents);
    }

    [Fact]
    public void A_warning_carries_its_message()
    {
        var t = Target();
        var heartbeat = Assert.Single(Decide(t, new ProbeOutcome(t.Id, At, null, ReportedStatus.Warning, "disk full")).Heartbeats);
        Assert.Equal((ReportedStatus.Warning, "disk full"), (heartbeat.Status, heartbeat.Message));
    }

    [Fact]
    public void A_failure_appends_nothing_but_a_new_error()
    {
        var t = Target();
        var decision = Decide(t, new ProbeOutcome(t.Id, At, "refused"), new ProbeOutcome(t.Id, At.AddSeconds(30), "refused"));

        Assert.Empty(decision.Heartbeats);
        var failed = Assert.IsType<ProbeFailed>(Assert.Single(decision.MachineEvents).Event);
        Assert.Equal(("refused", At), (failed.Error, failed.At));
    }

    [Fact]
    public void The_same_error_again_appends_nothing_and_a_different_one_is_appended()
    {
        var t = Target(lastError: "refused");
        Assert.Empty(Decide(t, new ProbeOutcome(t.Id, At, "refused")).MachineEvents);
        Assert.IsType<ProbeFailed>(Assert.Single(Decide(t, new ProbeOutcome(t.Id, At, "timed out")).MachineEvents).Event);
    }

    [Fact]
    public void A_success_after_an_error_recovers()
    {
        var t = Target(lastError: "refused");
        var decision = Decide(t, new ProbeOutcome(t.Id, At, null));
        Assert.Single(decision.Heartbeats);
        Assert.IsType<ProbeRecovered>(Assert.Single(decision.MachineEvents).Event);
    }

    [Fact]
    public void A_host_key_seen_on_first_contact_is_pinned_once()
    {
        var key = new SeenHostKey("ssh-ed25519", "SHA256:abc");
        var first = Decide(Target(), new ProbeOutcome(Guid.Empty, At, null)); // unknown machine: nothing
        Assert.Empty(first.Heartbeats);

        var t = Target();
        var pinned = Assert.IsType<ProbeHostKeyPinned>(Assert.Single(Decide(t, new ProbeOutcome(t.Id, At, null, NewHostKey: key)).MachineEvents).Event);
        Assert.Equal(("ssh-ed25519", "SHA256:abc"), (pinned.Algorithm, pinned.Fingerprint));
        var already = Target(pinned: "SHA256:abc");
        Assert.Empty(Decide(already, new ProbeOutcome(already.Id, At, null, NewHostKey: key)).MachineEvents);
    }

    [Fact]
    public void Outcomes_of_a_machine_paused_since_its_probe_started_are_dropped()
    {
        var t = Target() with { Paused = true };
        var decision = Decide(t, new ProbeOutcome(t.Id, At, null), new ProbeOutcome(t.Id, At, "refused"));
        Assert.Empty(decision.Heartbeats);
        Assert.Empty(decision.MachineEvents);
    }
}
