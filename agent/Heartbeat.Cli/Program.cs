using System.CommandLine;
using Heartbeat.Cli;
using Heartbeat.Cli.Channels;
using Heartbeat.Cli.Machines;

var root = new RootCommand("heartbeat: the fleet from a terminal. Reads HEARTBEAT_URL and HEARTBEAT_ADMIN_KEY (or --url, --key).")
{
    GlobalOptions.Url, GlobalOptions.Key, GlobalOptions.Json,
    new Command("machines", "Machines: list, add, show, pause, resume, remove, history.")
    {
        ListMachines.Command(), AddMachine.Command(), MachineCommands.Show(), MachineCommands.Pause(),
        MachineCommands.Resume(), MachineCommands.Remove(), MachineCommands.History(),
    },
    new Command("channels", "Notification channels: add, list, test.")
    {
        ChannelCommands.Add(), ChannelCommands.List(), ChannelCommands.Test(),
    },
    Watch.Command(),
};

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0 && parsed.Action is not System.CommandLine.Help.HelpAction)
{
    foreach (var error in parsed.Errors) Console.Error.WriteLine("heartbeat: " + error.Message);
    Console.Error.WriteLine("heartbeat: see heartbeat --help");
    return ExitCodes.Usage;
}
return await parsed.InvokeAsync();
