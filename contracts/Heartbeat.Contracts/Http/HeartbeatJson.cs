using System.Text.Json;
using System.Text.Json.Serialization;

namespace Heartbeat.Contracts.Http;

/// <summary>The public API's JSON shape: snake_case names, enums as snake_case strings.</summary>
public static class HeartbeatJson
{
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        return options;
    }

    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));
}
