using System.Text;
using System.Text.Json.Serialization;
using Heartbeat.Contracts.Events;
using Heartbeat.Detector.Tracking;
using JasperFx;
using Marten;
using Weasel.Core;

namespace Heartbeat.Detector.Tests.Tracking;

/// <summary>Heartbeats as stored — one event per group commit, and the single events stored before — read and count the same.</summary>
public class StoredHeartbeatsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 27, 3, 12, 0, TimeSpan.Zero);

    /// <summary>The serializer the services give Marten (InfrastructureExtensions.AddHeartbeatMarten).</summary>
    private static readonly Marten.ISerializer Stored = Serializer();

    private static Marten.ISerializer Serializer()
    {
        var options = new StoreOptions();
        options.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.Default,
            json => json.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull);
        return options.Serializer();
    }

    private static T Load<T>(string json) => Stored.FromJson<T>(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void A_group_commit_is_stored_as_compact_entries_and_loads_back_unchanged()
    {
        var machine = Guid.CreateVersion7();
        var plain = new HeartbeatEntry(machine, T0.AddTicks(1234560)); // 123,456 µs past the second
        var full = new HeartbeatEntry(Guid.CreateVersion7(), T0.AddSeconds(1), HeartbeatSource.Probe, ReportedStatus.Warning, "1.2.3", "disk 91% full",
            new Dictionary<string, double> { ["cpu"] = 0.5 }, new HeartbeatRun(RunSignal.Exited, 3));

        var json = Stored.ToJson(new HeartbeatsReceived([plain, full]));
        var loaded = Load<HeartbeatsReceived>(json);

        // The plain heartbeat is its machine and its time only: no source, status or empty fields written.
        Assert.Contains($$"""{"m":"{{machine}}","t":{{(T0.AddTicks(1234560) - DateTimeOffset.UnixEpoch).Ticks / 10}}}""", json);
        Assert.Equal(plain, loaded.Heartbeats[0]);
        var back = loaded.Heartbeats[1];
        Assert.Equal((full.MachineId, full.ReceivedAt, full.Source, full.Status, full.AgentVersion, full.Message, full.Run),
            (back.MachineId, back.ReceivedAt, back.Source, back.Status, back.AgentVersion, back.Message, back.Run));
        Assert.Equal(0.5, back.Metrics!["cpu"]);
    }

    [Fact]
    public void A_single_heartbeat_event_stored_before_batches_still_loads_as_one_heartbeat()
    {
        var machine = Guid.CreateVersion7();
        // As the previous version stored it in mt_events.data.
        var old = Load<HeartbeatReceived>($$"""
            {"MachineId":"{{machine}}","ReceivedAt":"2026-11-27T03:12:00.1234567+00:00","Source":"Agent","AgentVersion":"1.0.0","Status":"Warning","Message":"hot"}
            """);

        var heartbeat = Assert.Single(StoredHeartbeats.In(old));

        Assert.Equal(new HeartbeatEntry(machine, T0.AddTicks(1234567), HeartbeatSource.Agent, ReportedStatus.Warning, "1.0.0", "hot"), heartbeat);
    }

    [Fact]
    public void Old_and_new_heartbeats_count_the_same()
    {
        var machine = TrackedMachine.Create(new MachineRegistered(Guid.CreateVersion7(), "m", null, null, [], null, null, "h", T0), 1);
        var old = new HeartbeatReceived(machine.Id, T0.AddSeconds(1), HeartbeatSource.Agent, "1.0", ReportedStatus.Ok, null);
        var batch = new HeartbeatsReceived([new HeartbeatEntry(machine.Id, T0.AddSeconds(2)), new HeartbeatEntry(machine.Id, T0.AddSeconds(3), Status: ReportedStatus.Warning)]);

        foreach (var heartbeat in StoredHeartbeats.In(old).Concat(StoredHeartbeats.In(batch))) machine = machine.Seen(heartbeat);

        Assert.Equal(3, machine.HeartbeatCount);
        Assert.Equal(T0.AddSeconds(3), machine.LastSeenAt);
        Assert.Equal(ReportedStatus.Warning, machine.ReportedStatus);
    }

    [Fact]
    public void A_heartbeat_committed_after_a_newer_one_counts_but_does_not_move_last_seen_back()
    {
        var machine = TrackedMachine.Create(new MachineRegistered(Guid.CreateVersion7(), "m", null, null, [], null, null, "h", T0), 1)
            .Seen(new HeartbeatEntry(Guid.Empty, T0.AddSeconds(5), Message: "newer"));

        machine = machine.Seen(new HeartbeatEntry(Guid.Empty, T0.AddSeconds(4), Message: "older"));

        Assert.Equal(T0.AddSeconds(5), machine.LastSeenAt);
        Assert.Equal("newer", machine.Message);
        Assert.Equal(2, machine.HeartbeatCount);
    }

    [Fact]
    public void Recent_heartbeats_go_round_a_ring_of_n_slots()
    {
        var machine = TrackedMachine.Create(new MachineRegistered(Guid.CreateVersion7(), "m", null, null, [], null, null, "h", T0), 1);
        var slots = new List<int>();
        for (var i = 0; i < 7; i++)
        {
            machine = machine.Seen(new HeartbeatEntry(machine.Id, T0.AddSeconds(i)));
            slots.Add(RecentHeartbeats.SlotOf(machine, keep: 3));
        }

        Assert.Equal([0, 1, 2, 0, 1, 2, 0], slots);
    }
}
