using Heartbeat.Contracts.Http;
using Heartbeat.Ingest.Machines;

namespace Heartbeat.Ingest.Tests;

public class ChangeSettingsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void One_field_is_enough() =>
        Assert.Empty(ChangeSettings.Validate(new ChangeMachineSettingsRequest(OfflineThresholdSeconds: 60)));

    [Fact]
    public void An_empty_change_is_refused() =>
        Assert.Contains("body", ChangeSettings.Validate(new ChangeMachineSettingsRequest()).Keys);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_name_cannot_be_blanked(string name) =>
        Assert.Contains("name", ChangeSettings.Validate(new ChangeMachineSettingsRequest(Name: name)).Keys);

    [Fact]
    public void Registration_limits_apply_to_the_fields_sent()
    {
        var errors = ChangeSettings.Validate(new ChangeMachineSettingsRequest(OfflineThresholdSeconds: 0, Tags: ["ok", ""]));
        Assert.Contains("offline_threshold_seconds", errors.Keys);
        Assert.Contains("tags", errors.Keys);
    }

    [Fact]
    public void Only_the_fields_sent_are_in_the_event()
    {
        var id = Guid.CreateVersion7();
        var changed = ChangeSettings.Decide(id, new ChangeMachineSettingsRequest(Name: " web-2 ", OfflineThresholdSeconds: 90), Now);
        Assert.Equal("web-2", changed.Name);
        Assert.Equal(TimeSpan.FromSeconds(90), changed.OfflineThreshold);
        Assert.Null(changed.Description);
        Assert.Null(changed.Tags);
        Assert.Null(changed.ExpectedInterval);
        Assert.Equal(Now, changed.ChangedAt);
    }
}
