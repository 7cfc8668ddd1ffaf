using YamlDotNet.RepresentationModel;

namespace Heartbeat.Deployment.Tests;

/// <summary>Files of the checkout the tests read, found from the test assembly upwards.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static YamlMappingNode Yaml(string relative)
    {
        var stream = new YamlStream();
        using var reader = File.OpenText(PathOf(relative));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    public static YamlMappingNode Map(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlMappingNode map
            ? map
            : throw new Xunit.Sdk.XunitException($"'{key}' is missing or not a mapping");

    public static IEnumerable<string> Keys(this YamlMappingNode node) =>
        node.Children.Keys.Select(k => ((YamlScalarNode)k).Value!);

    public static IReadOnlyList<string> List(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlSequenceNode list
            ? list.Children.Select(c => ((YamlScalarNode)c).Value!).ToList()
            : [];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Heartbeat.Platform.sln"))) return dir.FullName;
        throw new InvalidOperationException("Heartbeat.Platform.sln not found above " + AppContext.BaseDirectory);
    }
}
