using Heartbeat.Contracts.Events;
using JasperFx.Events;
using Marten.Events.Aggregation;

namespace Heartbeat.ServiceDefaults.Machines;

/// <summary>
/// Stores <see cref="MachineState"/> per machine stream through its one fold: inline in ingest (a machine can send its
/// first heartbeat the moment its registration answered), by the async daemon in the detector. Only machine-stream
/// event types are read, never the heartbeat batches.
/// </summary>
public partial class MachineStateProjection : SingleStreamProjection<MachineState, Guid>
{
    public MachineStateProjection()
    {
        foreach (var type in MachineState.StreamEvents) IncludeType(type);
    }

    public override MachineState? Evolve(MachineState? snapshot, Guid id, IEvent e) => e.Data switch
    {
        MachineRegistered registered => MachineState.Create(registered) with { Version = e.Version },
        _ => snapshot?.Apply(e.Data, e.Version),
    };
}
