using System.CommandLine;
using Heartbeat.Client;
using Heartbeat.Contracts.Http;

namespace Heartbeat.Cli.Machines;

/// <summary><c>heartbeat machines add NAME</c>: registers a machine and prints its id, its token (shown once) and the agent command to run on it.</summary>
public static class AddMachine
{
    public sealed record Added(Guid Id, string Name, string Token, string HeartbeatUrl, string AgentCommand);

    public static Command Command()
    {
        var name = new Argument<string>("name") { Description = "The machine's name." };
        var hostname = new Option<string?>("--hostname") { Description = "Its hostname." };
        var description = new Option<string?>("--description") { Description = "What it is." };
        var threshold = new Option<string?>("--threshold") { Description = "Silence before it is offline: 2m, 90s, ... (default: the platform's, 2m)." };
        var interval = new Option<string?>("--interval") { Description = "How often it sends: 30s, ... (past it the machine shows late)." };
        var tags = new Option<string[]>("--tag") { Description = "A tag. Repeatable.", Arity = ArgumentArity.ZeroOrMore };
        var env = new Option<bool>("--env")
        {
            Description = "Print only the agent's settings as shell export lines, for eval \"$(heartbeat machines add NAME --env)\" on the machine itself.",
        };
        var command = new Command("add", "Register a machine; prints its id, token and the agent command.") { name, hostname, description, threshold, interval, tags, env };
        command.SetAction(CliSession.Run(async (session, parsed, ct) =>
        {
            var request = new RegisterMachineRequest(
                parsed.GetValue(name), parsed.GetValue(hostname), parsed.GetValue(description),
                parsed.GetValue(tags) is { Length: > 0 } t ? t : null,
                Seconds(parsed.GetValue(threshold), "--threshold"), Seconds(parsed.GetValue(interval), "--interval"));
            var machine = (await session.Client.Machines.Register(request, ct)).ContentOrThrow();
            var settings = AgentSettings(session.Url, machine, parsed.GetValue(interval));
            var agent = string.Join(' ', settings.Select(s => $"{s.Name}={s.Value}")) + " heartbeat-agent";
            if (parsed.GetValue(env))
            {
                // Quoted for the shell: the README's three lines eval this, then start the agent with no arguments.
                foreach (var (variable, value) in settings) Console.Out.WriteLine($"export {variable}='{value.Replace("'", "'\\''")}'");
                return ExitCodes.Ok;
            }
            if (session.Json)
            {
                session.WriteJson(new Added(machine.Id, machine.Name, machine.Token, machine.HeartbeatUrl, agent));
                return ExitCodes.Ok;
            }
            Console.Out.WriteLine($"Registered {machine.Name}");
            Console.Out.WriteLine($"  id             {machine.Id}");
            Console.Out.WriteLine($"  token          {machine.Token}   (shown only now: keep it)");
            Console.Out.WriteLine($"  heartbeat url  {machine.HeartbeatUrl}");
            Console.Out.WriteLine();
            Console.Out.WriteLine("Run the agent on the machine:");
            Console.Out.WriteLine("  " + agent);
            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>The environment the agent reads, in the order people read it.</summary>
    private static List<(string Name, string Value)> AgentSettings(Uri url, RegisteredMachine machine, string? interval)
    {
        List<(string, string)> settings =
        [
            ("HEARTBEAT_URL", url.ToString().TrimEnd('/')),
            ("HEARTBEAT_MACHINE_ID", machine.Id.ToString()),
            ("HEARTBEAT_TOKEN", machine.Token),
        ];
        if (interval is not null) settings.Add(("HEARTBEAT_INTERVAL", interval));
        return settings;
    }

    private static int? Seconds(string? text, string option)
    {
        if (text is null) return null;
        if (!HeartbeatDurations.TryParse(text, out var value) || value.TotalSeconds < 1)
            throw new CliException($"{option} '{text}' is not a duration of at least 1 s: use 30s, 2m, 1h.", ExitCodes.Usage);
        return (int)Math.Round(value.TotalSeconds);
    }
}
