using System.Text.Json;
using System.Text.Json.Serialization;

namespace Heartbeat.Agent;

/// <summary>
/// The identity an enrolment gave this machine, kept in a file only its user can read (0600, in a 0700
/// directory): it holds the machine token.
/// </summary>
public sealed record AgentState(Guid MachineId, string Token, string Url, string Name, DateTimeOffset EnrolledAt)
{
    public static AgentState? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), AgentJson.Default.AgentState)
                ?? throw new AgentConfigException($"The state file {path} is empty.");
        }
        catch (JsonException e)
        {
            throw new AgentConfigException($"The state file {path} is not readable ({e.Message}); remove it to enrol again.");
        }
    }

    /// <summary>Written to a temporary file created 0600 and renamed over the old one, so a crash never leaves half a token.</summary>
    public void Write(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temporary = path + ".tmp";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            JsonSerializer.Serialize(stream, this, AgentJson.Default.AgentState);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}

/// <summary>The state file's JSON, snake_case like the API, generated at compile time (the agent is native AOT: no reflection).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(AgentState))]
public sealed partial class AgentJson : JsonSerializerContext;
