using Heartbeat.Agent;

namespace Heartbeat.Agent.Tests;

public sealed class ProbeParsingTests
{
    [Theory]
    [InlineData("disk=df -h /", "disk", "df -h /")]
    [InlineData("test -w /var", "test -w /var", "test -w /var")]
    [InlineData("LANG=C df -h", "LANG=C df -h", "LANG=C df -h")]
    [InlineData("mem.free = free -m", "mem.free", "free -m")]
    public void A_check_is_a_command_with_an_optional_lower_case_name(string text, string name, string command) =>
        Assert.Equal(new CheckSpec(name, command), CheckSpec.Parse(text));

    [Fact]
    public void A_check_without_a_command_is_refused() =>
        Assert.Throws<AgentConfigException>(() => CheckSpec.Parse("disk="));

    [Theory]
    [InlineData("load=cut -d' ' -f1 /proc/loadavg", "load", "cut -d' ' -f1 /proc/loadavg")]
    [InlineData("queue.depth = echo 3", "queue.depth", "echo 3")]
    public void A_metric_is_name_equals_command(string text, string name, string command) =>
        Assert.Equal(new MetricSpec(name, command), MetricSpec.Parse(text));

    [Theory]
    [InlineData("uptime")]
    [InlineData("=echo 1")]
    [InlineData("disk usage=echo 1")]
    public void A_metric_without_a_name_is_refused(string text) =>
        Assert.Throws<AgentConfigException>(() => MetricSpec.Parse(text));

    [Theory]
    [InlineData("42\n", 42)]
    [InlineData("  0.73 ", 0.73)]
    [InlineData("97%", 97)]
    [InlineData("1.5e3 requests", 1500)]
    public void A_metric_value_is_the_first_number_printed(string output, double value)
    {
        Assert.True(MetricSpec.TryReadValue(output, out var read));
        Assert.Equal(value, read);
    }

    [Theory]
    [InlineData("")]
    [InlineData("load: 0.5")]
    [InlineData("NaN")]
    public void Output_that_does_not_start_with_a_number_is_no_value(string output) =>
        Assert.False(MetricSpec.TryReadValue(output, out _));

    [Fact]
    public void The_message_is_the_first_non_empty_line_of_stdout_else_stderr()
    {
        Assert.Equal("disk / is 97% full", ProbeOutput.FirstLine("\n  disk / is 97% full  \nmore\n", "ignored"));
        Assert.Equal("permission denied", ProbeOutput.FirstLine("", "permission denied\n"));
    }

    [Fact]
    public void The_warning_names_the_first_failed_check_and_counts_the_others()
    {
        var message = ProbeOutput.WarningMessage([
            new CheckOutcome("disk", "exit 1", "disk / is 97% full"),
            new CheckOutcome("ntp", "timed out after 10 s", ""),
        ]);
        Assert.Equal("disk: disk / is 97% full (and 1 more failed: ntp)", message);
    }

    [Fact]
    public void A_silent_failed_check_says_why_it_failed() =>
        Assert.Equal("ntp: timed out after 10 s", ProbeOutput.WarningMessage([new CheckOutcome("ntp", "timed out after 10 s", "")]));

    [Fact]
    public void The_warning_fits_the_platforms_message_limit() =>
        Assert.Equal(ProbeOutput.MaxMessageLength, ProbeOutput.WarningMessage([new CheckOutcome("x", "exit 1", new string('a', 5000))]).Length);
}
