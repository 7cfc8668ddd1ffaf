using Heartbeat.ServiceDefaults.Machines;
using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.Ingest.Machines;
using Microsoft.Extensions.Configuration;

namespace Heartbeat.Ingest.Tests;

public class EnrollmentTests
{
    [Fact]
    public void A_name_and_a_hostname_are_required()
    {
        Assert.Empty(EnrollMachine.Validate(new EnrollMachineRequest("web-1", "web-1.example.com", ["web"])));
        Assert.Contains("hostname", EnrollMachine.Validate(new EnrollMachineRequest("web-1", null)).Keys);
        Assert.Contains("name", EnrollMachine.Validate(new EnrollMachineRequest(" ", "web-1.example.com")).Keys);
        Assert.Contains("tags", EnrollMachine.Validate(new EnrollMachineRequest("web-1", "h", [""])).Keys);
    }

    [Fact]
    public void The_identity_ignores_the_hostnames_case_and_surrounding_spaces_but_not_the_names()
    {
        Assert.Equal(EnrollMachine.IdentityOf("web-1", "Web-1.Example.com"), EnrollMachine.IdentityOf(" web-1 ", "web-1.example.com "));
        Assert.NotEqual(EnrollMachine.IdentityOf("web-1", "h"), EnrollMachine.IdentityOf("Web-1", "h"));
        Assert.NotEqual(EnrollMachine.IdentityOf("a", "b\nc"), EnrollMachine.IdentityOf("a\nb", "c"));
    }

    [Fact]
    public void Enrolment_keys_come_from_configuration_comma_separated()
    {
        var keys = new EnrollmentKeys(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Heartbeat:EnrollmentKeys"] = "first-key, second-key" }).Build());
        Assert.True(keys.Allows("first-key"));
        Assert.True(keys.Allows("second-key"));
        Assert.False(keys.Allows("third-key"));
        Assert.False(keys.Allows(null));
    }

    [Fact]
    public void Without_configured_keys_nothing_is_allowed() =>
        Assert.False(new EnrollmentKeys(new ConfigurationBuilder().Build()).Allows("anything"));

    [Fact]
    public void A_rotated_token_replaces_the_credentials_digest()
    {
        var id = Guid.NewGuid();
        var credential = MachineState.Create(new MachineRegistered(id, "web-1", "h", null, [], null, null, "old-digest", DateTimeOffset.UnixEpoch));
        var rotated = credential.Apply(new MachineTokenRotated(id, "new-digest", DateTimeOffset.UnixEpoch), 2);
        Assert.Equal("new-digest", rotated.TokenHash);
        Assert.Equal("web-1", rotated.Name);
    }
}
