using System.CommandLine;
using Heartbeat.Client;
using Spectre.Console;

namespace Heartbeat.Cli.Machines;

/// <summary>
/// <c>heartbeat machines list [--status s] [--tag t] [--verbose] [--json]</c>: the fleet as the old
/// <c>check_heartbeats --verbose</c> showed it, exiting 0 / 1 / 2 for fine / late or warning / offline.
/// </summary>
public static class ListMachines
{
    public static Command Command()
    {
        var status = new Option<string?>("--status") { Description = "Only machines in this status: new, online, warning, late, offline, paused." };
        var tag = new Option<string?>("--tag") { Description = "Only machines with this tag." };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Also id, hostname, tags, interval and the agent's message." };
        var command = new Command("list", "The fleet: name, status, last heartbeat, age, threshold. Exit 0 all fine, 1 late or warning, 2 offline.") { status, tag, verbose };
        command.SetAction(CliSession.Run(async (session, parsed, ct) =>
        {
            var machines = await session.Client.ListMachinesAsync(new MachineFilter(parsed.GetValue(status), parsed.GetValue(tag)), ct);
            if (session.Json)
            {
                session.WriteJson(machines);
                return FleetHealth.ExitCode(machines);
            }

            var now = DateTimeOffset.UtcNow;
            var detailed = parsed.GetValue(verbose);
            var table = new Table().Border(TableBorder.Simple);
            if (detailed) table.AddColumn("ID");
            table.AddColumns("NAME", "STATUS", "LAST HEARTBEAT", "AGE", "THRESHOLD");
            if (detailed) table.AddColumns("INTERVAL", "HOSTNAME", "TAGS", "MESSAGE");
            foreach (var m in machines)
            {
                var row = new List<string>();
                if (detailed) row.Add(Markup.Escape(m.Id.ToString()));
                row.AddRange([Markup.Escape(m.Name), Colour(m.Status), m.LastSeen?.ToString("yyyy-MM-dd HH:mm:ss'Z'") ?? "-", FleetHealth.Age(m.LastSeen, now), FleetHealth.Duration(m.OfflineThresholdSeconds)]);
                if (detailed) row.AddRange([FleetHealth.Duration(m.ExpectedIntervalSeconds), Markup.Escape(m.Hostname ?? ""), Markup.Escape(string.Join(",", m.Tags)), Markup.Escape(m.Message ?? "")]);
                table.AddRow(row.ToArray());
            }
            if (machines.Count > 0) session.Out.Write(table);
            session.Out.WriteLine(FleetHealth.Summary(machines));
            return FleetHealth.ExitCode(machines);
        }));
        return command;
    }

    private static string Colour(string status) => status switch
    {
        "offline" => "[red]offline[/]",
        "late" => "[yellow]late[/]",
        "warning" => "[yellow]warning[/]",
        "online" => "[green]online[/]",
        _ => Markup.Escape(status),
    };
}
