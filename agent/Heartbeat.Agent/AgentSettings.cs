using System.Text.Json;
using Heartbeat.Client;

namespace Heartbeat.Agent;

/// <summary>
/// One source of configuration (the file, the environment or the flags); null means "not said here".
/// </summary>
public sealed record AgentConfigLayer
{
    public string? Url { get; init; }
    public string? MachineId { get; init; }
    public string? Token { get; init; }
    public string? Interval { get; init; }
    public string? EnrollmentKey { get; init; }
    public string? Name { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public string? StateFile { get; init; }
    public IReadOnlyList<string>? Checks { get; init; }
    public IReadOnlyList<string>? Metrics { get; init; }
}

/// <summary>What the agent runs with, after the layers are merged and checked.</summary>
public sealed record AgentSettings(
    Uri Url,
    Guid? MachineId,
    string? Token,
    TimeSpan Interval,
    string? EnrollmentKey,
    string Name,
    IReadOnlyList<string> Tags,
    string StateFile,
    IReadOnlyList<CheckSpec> Checks,
    IReadOnlyList<MetricSpec> Metrics);

public sealed class AgentConfigException(string message) : Exception(message);

public static class AgentConfig
{
    public const string DefaultConfigFile = "/etc/heartbeat/agent.json";
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Merges the layers: the file, then the environment over it, then the flags over both (the most
    /// specific wins, as an operator expects when trying a flag on a configured machine). A list given in a
    /// later layer replaces the earlier one rather than adding to it.
    /// </summary>
    public static AgentSettings Resolve(AgentConfigLayer file, AgentConfigLayer environment, AgentConfigLayer flags, string hostname, string defaultStateFile)
    {
        AgentConfigLayer[] layers = [file, environment, flags];
        string? Last(Func<AgentConfigLayer, string?> field) => layers.Select(field).LastOrDefault(v => !string.IsNullOrWhiteSpace(v))?.Trim();
        IReadOnlyList<string> LastList(Func<AgentConfigLayer, IReadOnlyList<string>?> field) =>
            layers.Select(field).LastOrDefault(v => v is { Count: > 0 }) ?? [];

        var urlText = Last(l => l.Url)
            ?? throw new AgentConfigException("No platform URL: set HEARTBEAT_URL, \"url\" in the config file, or --url.");
        if (!Uri.TryCreate(urlText, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new AgentConfigException($"The platform URL '{urlText}' is not an absolute http or https URL.");

        Guid? machineId = null;
        if (Last(l => l.MachineId) is { } idText)
            machineId = Guid.TryParse(idText, out var id) ? id : throw new AgentConfigException($"The machine id '{idText}' is not a UUID.");

        var interval = DefaultInterval;
        if (Last(l => l.Interval) is { } intervalText)
        {
            if (!HeartbeatDurations.TryParse(intervalText, out interval))
                throw new AgentConfigException($"The interval '{intervalText}' is not a duration: use 30s, 2m, 00:00:30 or a number of seconds.");
            if (interval < MinInterval)
                throw new AgentConfigException($"The interval must be at least {MinInterval.TotalSeconds:0} s.");
        }

        var token = Last(l => l.Token);
        var enrollmentKey = Last(l => l.EnrollmentKey);
        if (machineId is null != token is null)
            throw new AgentConfigException("Give both the machine id and its token (HEARTBEAT_MACHINE_ID and HEARTBEAT_TOKEN), or neither and enrol with --enroll.");

        return new AgentSettings(
            url, machineId, token, interval, enrollmentKey,
            Last(l => l.Name) ?? hostname,
            LastList(l => l.Tags),
            Last(l => l.StateFile) ?? defaultStateFile,
            LastList(l => l.Checks).Select(CheckSpec.Parse).ToList(),
            LastList(l => l.Metrics).Select(MetricSpec.Parse).ToList());
    }

    public static AgentConfigLayer FromEnvironment(Func<string, string?> get) => new()
    {
        Url = get("HEARTBEAT_URL"),
        MachineId = get("HEARTBEAT_MACHINE_ID"),
        Token = get("HEARTBEAT_TOKEN"),
        Interval = get("HEARTBEAT_INTERVAL"),
        EnrollmentKey = get("HEARTBEAT_ENROLLMENT_KEY"),
        Name = get("HEARTBEAT_NAME"),
        Tags = get("HEARTBEAT_TAGS")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        StateFile = get("HEARTBEAT_STATE_FILE"),
    };

    /// <summary>
    /// The JSON config file, snake_case like the API: <c>url, machine_id, token, interval, enrollment_key, name,
    /// tags, state_file, checks</c> (a list of commands) and <c>metrics</c> (an object of name: command).
    /// </summary>
    public static AgentConfigLayer FromJson(string json, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new AgentConfigException($"{path}: the configuration must be a JSON object.");
            string? Text(string name) => root.TryGetProperty(name, out var v) ? v.ValueKind switch
            {
                JsonValueKind.String => v.GetString(),
                JsonValueKind.Number => v.GetRawText(),
                JsonValueKind.Null => null,
                _ => throw new AgentConfigException($"{path}: \"{name}\" must be a string."),
            } : null;
            IReadOnlyList<string>? List(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
                ? v.EnumerateArray().Select(e => e.GetString() ?? "").ToList()
                : null;
            IReadOnlyList<string>? metrics = root.TryGetProperty("metrics", out var m) && m.ValueKind == JsonValueKind.Object
                ? m.EnumerateObject().Select(p => $"{p.Name}={p.Value.GetString()}").ToList()
                : null;
            return new AgentConfigLayer
            {
                Url = Text("url"), MachineId = Text("machine_id"), Token = Text("token"), Interval = Text("interval"),
                EnrollmentKey = Text("enrollment_key"), Name = Text("name"), Tags = List("tags"), StateFile = Text("state_file"),
                Checks = List("checks"), Metrics = metrics,
            };
        }
        catch (JsonException e)
        {
            throw new AgentConfigException($"{path} is not valid JSON: {e.Message}");
        }
    }

    /// <summary>
    /// Where enrolment keeps the machine's id and token: systemd's StateDirectory when set, else
    /// /var/lib/heartbeat-agent for root, else the user's XDG state directory.
    /// </summary>
    public static string DefaultStateFile(Func<string, string?> env, bool isRoot)
    {
        if (env("STATE_DIRECTORY") is { Length: > 0 } systemd) return Path.Combine(systemd.Split(':')[0], "state.json");
        if (isRoot) return "/var/lib/heartbeat-agent/state.json";
        var stateHome = env("XDG_STATE_HOME") is { Length: > 0 } xdg ? xdg : Path.Combine(env("HOME") ?? ".", ".local", "state");
        return Path.Combine(stateHome, "heartbeat-agent", "state.json");
    }
}
