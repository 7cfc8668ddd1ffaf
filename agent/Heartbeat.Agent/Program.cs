using System.CommandLine;
using Heartbeat.Agent;
using Heartbeat.Client;

// heartbeat-agent: configuration from the file, then the environment, then these flags (each overrides the one before).
var url = new Option<string?>("--url") { Description = "The platform's URL (env HEARTBEAT_URL)." };
var machineId = new Option<string?>("--machine-id") { Description = "The machine's id (env HEARTBEAT_MACHINE_ID)." };
var token = new Option<string?>("--token") { Description = "The machine's token (env HEARTBEAT_TOKEN); prefer the environment or the file, flags show in ps." };
var interval = new Option<string?>("--interval") { Description = "Between heartbeats: 30s, 1m, ... (env HEARTBEAT_INTERVAL, default 30s)." };
var config = new Option<string?>("--config") { Description = $"A JSON configuration file (env HEARTBEAT_CONFIG; default {AgentConfig.DefaultConfigFile} when it exists)." };
var checks = new Option<string[]>("--check") { Description = "A command run before each heartbeat, optionally \"name=command\"; a non-zero exit sends status warning. Repeatable.", Arity = ArgumentArity.ZeroOrMore };
var metrics = new Option<string[]>("--metric") { Description = "name=command: the number the command prints is sent as a metric. Repeatable.", Arity = ArgumentArity.ZeroOrMore };
var enroll = new Option<string?>("--enroll") { Description = "Enrolment key: without a stored identity, register this machine and keep its id and token in the state file (env HEARTBEAT_ENROLLMENT_KEY)." };
var name = new Option<string?>("--name") { Description = "The machine's name when enrolling (env HEARTBEAT_NAME; default the hostname)." };
var tags = new Option<string[]>("--tag") { Description = "A tag when enrolling. Repeatable (env HEARTBEAT_TAGS, comma-separated).", Arity = ArgumentArity.ZeroOrMore };
var stateFile = new Option<string?>("--state-file") { Description = "Where enrolment keeps the id and token (env HEARTBEAT_STATE_FILE)." };
var once = new Option<bool>("--once") { Description = "Send one heartbeat and exit: 0 when it was stored, 1 when not (for cron)." };

var root = new RootCommand("Sends this machine's heartbeat to Heartbeat.Platform every interval.")
{
    url, machineId, token, interval, config, checks, metrics, enroll, name, tags, stateFile, once,
};
root.SetAction(async (parsed, ct) =>
{
    var clock = TimeProvider.System;
    var log = new AgentLog(Console.Error, clock);
    try
    {
        var configPath = parsed.GetValue(config) ?? Environment.GetEnvironmentVariable("HEARTBEAT_CONFIG");
        var file = new AgentConfigLayer();
        if (configPath is not null && !File.Exists(configPath)) throw new AgentConfigException($"The configuration file {configPath} does not exist.");
        configPath ??= File.Exists(AgentConfig.DefaultConfigFile) ? AgentConfig.DefaultConfigFile : null;
        if (configPath is not null) file = AgentConfig.FromJson(File.ReadAllText(configPath), configPath);

        var flags = new AgentConfigLayer
        {
            Url = parsed.GetValue(url), MachineId = parsed.GetValue(machineId), Token = parsed.GetValue(token),
            Interval = parsed.GetValue(interval), EnrollmentKey = parsed.GetValue(enroll), Name = parsed.GetValue(name),
            Tags = parsed.GetValue(tags), StateFile = parsed.GetValue(stateFile),
            Checks = parsed.GetValue(checks), Metrics = parsed.GetValue(metrics),
        };
        var hostname = Environment.MachineName;
        var settings = AgentConfig.Resolve(
            file, AgentConfig.FromEnvironment(Environment.GetEnvironmentVariable), flags, hostname,
            AgentConfig.DefaultStateFile(Environment.GetEnvironmentVariable, Environment.UserName == "root"));

        // One request at a time, never retried by the client: the schedule retries, so an outage cannot multiply
        // requests. A request may take at most the interval (and 10 s at most). A plain HttpClient rather than
        // the Refit client with IHttpClientFactory and Polly: those need reflection and cost megabytes, and the
        // agent is a native-AOT program that should stay a few MB (docs/benchmarks.md).
        var attempt = settings.Interval < TimeSpan.FromSeconds(10) ? settings.Interval : TimeSpan.FromSeconds(10);
        using var http = new HttpClient(new SocketsHttpHandler
        {
            // A fresh connection now and then follows DNS changes (a platform moved behind a new address).
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            ConnectTimeout = attempt,
        })
        { Timeout = attempt };
        var client = new MachineClient(http, settings.Url);

        var enrollment = new Enrollment(settings, client, log, clock);
        var identity = await enrollment.IdentityAsync(hostname, ct);
        var agent = new HeartbeatAgent(settings, client, new ProbeRunner(attempt), log, clock,
            enrollment.CanEnrollAgain ? (why, token) => enrollment.EnrollAgainAsync(hostname, why, token) : null);
        if (parsed.GetValue(once))
        {
            var failure = await agent.SendAsync(identity, ct);
            if (failure is null) return 0;
            log.Error("heartbeat not stored: " + failure.Reason);
            return 1;
        }
        await agent.RunAsync(identity, ct);
        return 0;
    }
    catch (AgentConfigException e)
    {
        log.Error(e.Message);
        return 78; // EX_CONFIG: systemd's RestartPreventExitStatus keeps a misconfigured agent from looping
    }
    catch (OperationCanceledException) when (ct.IsCancellationRequested)
    {
        log.Info("stopping");
        return 0;
    }
});
return await root.Parse(args).InvokeAsync();
