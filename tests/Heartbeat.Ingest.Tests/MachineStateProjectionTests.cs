using Heartbeat.ServiceDefaults.Machines;
using JasperFx.Events.Projections;
using Marten;

namespace Heartbeat.Ingest.Tests;

public class MachineStateProjectionTests
{
    [Theory]
    [InlineData(ProjectionLifecycle.Inline)]
    [InlineData(ProjectionLifecycle.Async)]
    public void The_shared_fold_registers_as_a_marten_projection(ProjectionLifecycle lifecycle)
    {
        // Marten refuses, at start-up, a projection that both overrides Evolve and has conventional Apply methods in sight.
        var options = new StoreOptions();
        options.Projections.Add<MachineStateProjection>(lifecycle);
    }
}
