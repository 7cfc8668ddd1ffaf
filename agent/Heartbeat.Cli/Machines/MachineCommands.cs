using System.CommandLine;
using Heartbeat.Client;
using Heartbeat.Contracts.Http;
using Spectre.Console;

namespace Heartbeat.Cli.Machines;

/// <summary><c>heartbeat machines show | pause | resume | remove | history NAME|ID</c>.</summary>
public static class MachineCommands
{
    public static Command Show()
    {
        var machine = MachineArgument();
        var command = new Command("show", "One machine's status and settings.") { machine };
        command.SetAction(CliSession.Run(async (session, parsed, ct) =>
        {
            var m = await session.FindMachineAsync(parsed.GetValue(machine)!, ct);
            if (session.Json)
            {
                session.WriteJson(m);
                return ExitCodes.Ok;
            }
            var grid = new Grid().AddColumn().AddColumn();
            void Row(string label, string? value) => grid.AddRow(Markup.Escape(label), Markup.Escape(value ?? "-"));
            Row("name", m.Name);
            Row("id", m.Id.ToString());
            Row("status", m.Status);
            Row("last heartbeat", m.LastSeen is { } seen ? $"{seen:yyyy-MM-dd HH:mm:ss'Z'} ({FleetHealth.Age(seen, DateTimeOffset.UtcNow)} ago)" : "never");
            Row("reported", m.ReportedStatus is null ? null : m.ReportedStatus + (m.Message is { Length: > 0 } msg ? $": {msg}" : ""));
            Row("offline since", m.OfflineSince?.ToString("yyyy-MM-dd HH:mm:ss'Z'"));
            Row("threshold", FleetHealth.Duration(m.OfflineThresholdSeconds));
            Row("interval", FleetHealth.Duration(m.ExpectedIntervalSeconds));
            Row("hostname", m.Hostname);
            Row("description", m.Description);
            Row("tags", m.Tags.Count > 0 ? string.Join(", ", m.Tags) : null);
            Row("registered", m.RegisteredAt.ToString("yyyy-MM-dd HH:mm:ss'Z'"));
            session.Out.Write(grid);
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Pause() => Change("pause", "Suspend monitoring: no transitions, no notifications.", "paused",
        (client, id, ct) => client.Machines.Pause(id, ct));

    public static Command Resume() => Change("resume", "Resume monitoring.", "resumed",
        (client, id, ct) => client.Machines.Resume(id, ct));

    public static Command Remove() => Change("remove", "Retire the machine: it leaves the fleet; its history is kept.", "removed",
        (client, id, ct) => client.Retirement.Retire(id, ct));

    public static Command History()
    {
        var machine = MachineArgument();
        var command = new Command("history", "The machine's history (registration, offline, online, pauses, settings), newest first.") { machine };
        command.SetAction(CliSession.Run(async (session, parsed, ct) =>
        {
            var m = await session.FindMachineAsync(parsed.GetValue(machine)!, ct);
            var transitions = (await session.Client.Machines.History(m.Id, ct: ct)).ContentOrThrow().Transitions;
            if (session.Json)
            {
                session.WriteJson(transitions);
                return ExitCodes.Ok;
            }
            if (transitions.Count == 0)
            {
                session.Out.WriteLine($"{m.Name} has no transitions yet.");
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Simple).AddColumns("AT", "TRANSITION", "EPISODE", "DOWNTIME");
            foreach (var t in transitions)
                table.AddRow(t.At.ToString("yyyy-MM-dd HH:mm:ss'Z'"), t.Kind, t.EpisodeId?.ToString() ?? "",
                    t.DowntimeSeconds is { } d ? FleetHealth.Duration((int)Math.Round(d)) : "");
            session.Out.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Argument<string> MachineArgument() => new("machine") { Description = "The machine's name or id." };

    private static Command Change(string name, string description, string done, Func<HeartbeatClient, Guid, CancellationToken, Task<Refit.IApiResponse>> call)
    {
        var machine = MachineArgument();
        var command = new Command(name, description) { machine };
        command.SetAction(CliSession.Run(async (session, parsed, ct) =>
        {
            var m = await session.FindMachineAsync(parsed.GetValue(machine)!, ct);
            (await call(session.Client, m.Id, ct)).EnsureSuccess();
            if (session.Json) session.WriteJson(new { id = m.Id, name = m.Name, result = done });
            else Console.Out.WriteLine($"{m.Name} ({m.Id}) {done}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
