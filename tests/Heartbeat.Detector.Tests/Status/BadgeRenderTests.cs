using Heartbeat.Detector.Badges;

namespace Heartbeat.Detector.Tests.Status;

public class BadgeRenderTests
{
    [Theory]
    [InlineData(new[] { "online" }, "up", "brightgreen")]
    [InlineData(new[] { "warning" }, "up", "brightgreen")]
    [InlineData(new[] { "late" }, "late", "yellow")]
    [InlineData(new[] { "offline" }, "down", "red")]
    [InlineData(new[] { "online", "offline", "late" }, "1 of 3 down", "red")]
    [InlineData(new[] { "online", "late" }, "late", "yellow")]
    [InlineData(new[] { "paused" }, "paused", "lightgrey")]
    [InlineData(new string[0], "no machines", "lightgrey")]
    public void Says_up_down_or_late(string[] statuses, string message, string color)
    {
        var reading = BadgeRender.Read("web", statuses);
        Assert.Equal(message, reading.Message);
        Assert.Equal(color, reading.ShieldsColor);
    }

    [Fact]
    public void The_svg_carries_its_text_escaped()
    {
        var svg = BadgeRender.Svg(BadgeRender.Read("a<b>", ["offline"]));
        Assert.Contains("a&lt;b&gt;: down", svg);
        Assert.DoesNotContain("<b>", svg);
    }
}
