using Heartbeat.Contracts.Messages;
using MassTransit;

namespace Heartbeat.Notifier.Deliveries;

public sealed class MachineWentOnlineConsumer(RecordTransition record) : IConsumer<MachineWentOnline>
{
    public Task Consume(ConsumeContext<MachineWentOnline> context) => record.HandleAsync(context.Message);
}
