using System.CommandLine;
using Heartbeat.Client;
using Heartbeat.Contracts.Http;

namespace Heartbeat.Cli;

/// <summary>
/// <c>heartbeat watch</c>: the fleet's status changes as they happen, one line each, until Ctrl-C. The
/// platform has no stream endpoint yet, so this polls the listing (every 2 s by default) and prints what changed.
/// </summary>
public static class Watch
{
    public sealed record Change(DateTimeOffset At, string Line);

    public static Command Command()
    {
        var every = new Option<string?>("--every") { Description = "How often to look: 2s (default), 500ms, ..." };
        var command = new Command("watch", "Print status changes as they happen, until Ctrl-C.") { every };
        command.SetAction(CliSession.Run(async (session, parsed, ct) =>
        {
            var period = TimeSpan.FromSeconds(2);
            if (parsed.GetValue(every) is { } text && (!HeartbeatDurations.TryParse(text, out period) || period < TimeSpan.FromMilliseconds(200)))
                throw new CliException($"--every '{text}' is not a duration of at least 200ms.", ExitCodes.Usage);

            var known = new Dictionary<Guid, MachineView>();
            var unreachable = false;
            var first = true;
            using var timer = new PeriodicTimer(period);
            do
            {
                IReadOnlyList<MachineView> machines;
                try
                {
                    machines = await session.Client.ListMachinesAsync(null, ct);
                }
                catch (HttpRequestException e) when (!first)
                {
                    // Keep watching through a blip; say so once, and once when it is back.
                    if (!unreachable) Console.Error.WriteLine($"heartbeat: lost the platform at {session.Url} ({e.Message}); still trying");
                    unreachable = true;
                    continue;
                }
                if (unreachable) Console.Error.WriteLine($"heartbeat: the platform at {session.Url} answers again");
                unreachable = false;
                first = false;
                var now = DateTimeOffset.UtcNow;
                foreach (var line in FleetHealth.Changes(known, machines))
                {
                    if (session.Json) Console.Out.WriteLine(System.Text.Json.JsonSerializer.Serialize(new Change(now, line), HeartbeatJson.Options));
                    else Console.Out.WriteLine($"{now:HH:mm:ss} {line}");
                }
                Console.Out.Flush();
                known = machines.ToDictionary(m => m.Id);
            }
            while (await timer.WaitForNextTickAsync(ct));
            return ExitCodes.Ok;
        }));
        return command;
    }
}
