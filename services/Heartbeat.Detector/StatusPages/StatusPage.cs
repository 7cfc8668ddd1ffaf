namespace Heartbeat.Detector.StatusPages;

/// <summary>A public status page: the machines carrying any of <see cref="Tags"/> (every machine when empty).</summary>
public sealed record StatusPage
{
    /// <summary>The slug, the page's address under /status/.</summary>
    public required string Id { get; init; }
    public required string Title { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public bool ShowHostnames { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
