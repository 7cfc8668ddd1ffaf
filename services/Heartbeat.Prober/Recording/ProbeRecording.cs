using Heartbeat.Contracts.Events;
using Heartbeat.Prober.Probing;
using Heartbeat.Prober.Targets;

namespace Heartbeat.Prober.Recording;

/// <summary>The pure part of storing probe outcomes: which heartbeats and which machine-stream events a batch makes.</summary>
public static class ProbeRecording
{
    public sealed record Decision(List<HeartbeatEntry> Heartbeats, List<(Guid MachineId, object Event)> MachineEvents);

    public static Decision Decide(IEnumerable<ProbeOutcome> outcomes, Func<Guid, ProbeTarget?> targetOf)
    {
        var heartbeats = new List<HeartbeatEntry>();
        var events = new List<(Guid, object)>();
        // Within one batch, later outcomes of the same machine see the errors decided for earlier ones.
        var lastError = new Dictionary<Guid, string?>();
        foreach (var o in outcomes)
        {
            if (targetOf(o.MachineId) is not { IsProbed: true } target) continue; // paused, retired or changed since the probe started
            var previous = lastError.TryGetValue(o.MachineId, out var e) ? e : target.LastProbeError;
            if (o.NewHostKey is { } key && target.PinnedHostKey is null)
                events.Add((o.MachineId, new ProbeHostKeyPinned(o.MachineId, key.Algorithm, key.Fingerprint, o.At)));
            if (o.Succeeded)
            {
                heartbeats.Add(new HeartbeatEntry(o.MachineId, o.At, HeartbeatSource.Probe, o.Status, Message: o.Message));
                if (previous is not null) events.Add((o.MachineId, new ProbeRecovered(o.MachineId, o.At)));
            }
            else if (o.Error != previous)
            {
                events.Add((o.MachineId, new ProbeFailed(o.MachineId, o.Error!, o.At)));
            }
            lastError[o.MachineId] = o.Error;
        }
        return new Decision(heartbeats, events);
    }
}
