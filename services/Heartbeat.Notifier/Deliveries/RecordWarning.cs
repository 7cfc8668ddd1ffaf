using Heartbeat.Contracts.Messages;
using Heartbeat.ServiceDefaults;
using MassTransit;
using Npgsql;

namespace Heartbeat.Notifier.Deliveries;

/// <summary>
/// A machine's warning spell as deliveries: its beginning (kind <c>warning</c>, with the heartbeat's message) and its
/// end (kind <c>warning_cleared</c>: the machine reports ok again), both event <c>machine.warning</c>, which channels
/// opt into (it is not in the default set). The end is told where the beginning was, after it — people told of a
/// warning want to hear it is over; others hear nothing. Routed by the quiet rules like transitions (a paused
/// machine or a maintenance window silences them) and keyed <c>spell:channel:kind</c>, so a redelivered message or
/// a second replica inserts nothing. Warnings are rare (once a spell, not per heartbeat): one statement each.
/// </summary>
public sealed class RecordWarning(NpgsqlDataSource database, QuietLookup quiet, DispatchSignal signal, TimeProvider time)
{
    public static Notification Of(MachineReportedWarning m) =>
        new(Notification.Warning, m.Machine, m.WarningId, m.ReportedAt, m.ReportedAt, Message: m.Message);

    public static Notification Of(MachineWarningCleared m) =>
        new(Notification.WarningCleared, m.Machine, m.WarningId, m.ClearedAt, m.ClearedAt, Message: m.Message);

    public Task HandleAsync(MachineReportedWarning warning) => RecordAsync(new Notice(Of(warning), TraceParent: HeartbeatTelemetry.CurrentTraceParent()));

    public Task HandleAsync(MachineWarningCleared cleared) =>
        RecordAsync(new Notice(Of(cleared), Follows: Notification.Warning, TraceParent: HeartbeatTelemetry.CurrentTraceParent()));

    private async Task RecordAsync(Notice notice)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var routed = await quiet.RouteAsync(connection, transaction, [notice.Notification]);
        var inserted = await NoticeRows.InsertAsync(connection, transaction, [notice], routed, time.GetUtcNow());
        await transaction.CommitAsync();
        if (inserted > 0) signal.Wake();
    }
}

public sealed class MachineReportedWarningConsumer(RecordWarning record) : IConsumer<MachineReportedWarning>
{
    public Task Consume(ConsumeContext<MachineReportedWarning> context) => record.HandleAsync(context.Message);
}

public sealed class MachineWarningClearedConsumer(RecordWarning record) : IConsumer<MachineWarningCleared>
{
    public Task Consume(ConsumeContext<MachineWarningCleared> context) => record.HandleAsync(context.Message);
}
