using System.Globalization;
using System.Text.RegularExpressions;

namespace Heartbeat.Agent;

/// <summary>
/// <c>--check "command"</c> or <c>--check "name=command"</c>: run before each heartbeat; a non-zero exit makes
/// the heartbeat a warning. The name is optional; it is recognised only as a lower-case word before <c>=</c>,
/// so a command that starts with an environment assignment (<c>LANG=C df</c>) stays a command.
/// </summary>
public sealed partial record CheckSpec(string Name, string Command)
{
    public static CheckSpec Parse(string text)
    {
        var match = NamePrefix().Match(text);
        var spec = match.Success ? new CheckSpec(match.Groups[1].Value, text[match.Length..].Trim()) : new CheckSpec(text.Trim(), text.Trim());
        if (spec.Command.Length == 0) throw new AgentConfigException($"The check '{text}' has no command.");
        return spec with { Name = spec.Name.Length > 64 ? spec.Name[..64] : spec.Name };
    }

    [GeneratedRegex(@"^\s*([a-z][a-z0-9_.-]{0,63})\s*=")]
    private static partial Regex NamePrefix();
}

/// <summary><c>--metric name=command</c>: the command's output is a number sent as the metric <c>name</c>.</summary>
public sealed partial record MetricSpec(string Name, string Command)
{
    public static MetricSpec Parse(string text)
    {
        var match = Spec().Match(text);
        if (!match.Success)
            throw new AgentConfigException($"The metric '{text}' is not name=command (a name of 1 to 64 letters, digits, '_', '.', '-').");
        return new MetricSpec(match.Groups[1].Value, match.Groups[2].Value.Trim());
    }

    /// <summary>The first number the command printed (<c>42</c>, <c>0.73</c>, <c>42 %</c>, <c>load: 0.5</c> is not).</summary>
    public static bool TryReadValue(string output, out double value)
    {
        value = 0;
        var first = output.Split((char[])[' ', '\t', '\n', '\r', '%'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return first is not null
            && double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }

    [GeneratedRegex(@"^\s*([A-Za-z0-9_.-]{1,64})\s*=(.+)$", RegexOptions.Singleline)]
    private static partial Regex Spec();
}

public static class ProbeOutput
{
    public const int MaxMessageLength = 1024;

    /// <summary>The first non-empty line of the output, trimmed; what the heartbeat's message says.</summary>
    public static string FirstLine(string stdout, string stderr)
    {
        static string? First(string text) => text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return First(stdout) ?? First(stderr) ?? "";
    }

    /// <summary>The warning message for the failed checks: the first one's name, exit and first line, and how many more failed.</summary>
    public static string WarningMessage(IReadOnlyList<CheckOutcome> failed)
    {
        var first = failed[0];
        var text = first.FirstLine.Length > 0 ? $"{first.Name}: {first.FirstLine}" : $"{first.Name}: {first.Failure}";
        if (failed.Count > 1) text += $" (and {failed.Count - 1} more failed: {string.Join(", ", failed.Skip(1).Select(f => f.Name))})";
        return text.Length > MaxMessageLength ? text[..MaxMessageLength] : text;
    }
}

/// <summary>How a check went: <see cref="Failure"/> is null when it passed, else why (exit code, timeout, not runnable).</summary>
public sealed record CheckOutcome(string Name, string? Failure, string FirstLine)
{
    public bool Passed => Failure is null;
}
