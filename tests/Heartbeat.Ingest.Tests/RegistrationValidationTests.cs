using Heartbeat.Contracts.Http;
using Heartbeat.Ingest.Machines;

namespace Heartbeat.Ingest.Tests;

public class RegistrationValidationTests
{
    [Fact]
    public void A_name_is_all_that_is_required() =>
        Assert.Empty(RegisterMachine.Validate(new RegisterMachineRequest("web-1")));

    [Theory]
    [InlineData(null, "name")]
    [InlineData("  ", "name")]
    public void Names_the_missing_field(string? name, string field) =>
        Assert.Contains(field, RegisterMachine.Validate(new RegisterMachineRequest(name)).Keys);

    [Fact]
    public void Rejects_a_threshold_out_of_range()
    {
        Assert.Contains("offline_threshold_seconds", RegisterMachine.Validate(new RegisterMachineRequest("a", OfflineThresholdSeconds: 0)).Keys);
        Assert.Contains("offline_threshold_seconds", RegisterMachine.Validate(new RegisterMachineRequest("a", OfflineThresholdSeconds: 8 * 24 * 3600)).Keys);
    }

    [Fact]
    public void The_expected_interval_may_not_exceed_the_threshold() =>
        Assert.Contains("expected_interval_seconds",
            RegisterMachine.Validate(new RegisterMachineRequest("a", OfflineThresholdSeconds: 30, ExpectedIntervalSeconds: 60)).Keys);

    [Fact]
    public void Rejects_too_many_or_empty_tags()
    {
        Assert.Contains("tags", RegisterMachine.Validate(new RegisterMachineRequest("a", Tags: Enumerable.Range(0, 21).Select(i => $"t{i}").ToList())).Keys);
        Assert.Contains("tags", RegisterMachine.Validate(new RegisterMachineRequest("a", Tags: [""])).Keys);
    }
}
