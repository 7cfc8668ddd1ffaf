using Heartbeat.Agent;

namespace Heartbeat.Agent.Tests;

public sealed class AgentConfigTests
{
    private static readonly AgentConfigLayer None = new();
    private static readonly Guid FileId = Guid.Parse("0192f0c5-0000-7000-8000-000000000001");
    private static readonly Guid EnvId = Guid.Parse("0192f0c5-0000-7000-8000-000000000002");

    private static AgentSettings Resolve(AgentConfigLayer file, AgentConfigLayer env, AgentConfigLayer flags) =>
        AgentConfig.Resolve(file, env, flags, "web-1.example.com", "/var/lib/heartbeat-agent/state.json");

    [Fact]
    public void Environment_overrides_the_file_and_flags_override_both()
    {
        var file = new AgentConfigLayer { Url = "http://file:8080", MachineId = FileId.ToString(), Token = "file-token", Interval = "60s" };
        var env = new AgentConfigLayer { Url = "http://env:8080", MachineId = EnvId.ToString(), Token = "env-token" };
        var flags = new AgentConfigLayer { Url = "http://flag:8080" };

        var settings = Resolve(file, env, flags);

        Assert.Equal(new Uri("http://flag:8080"), settings.Url);
        Assert.Equal(EnvId, settings.MachineId);
        Assert.Equal("env-token", settings.Token);
        Assert.Equal(TimeSpan.FromSeconds(60), settings.Interval);
    }

    [Fact]
    public void Unset_and_blank_values_do_not_override()
    {
        var file = new AgentConfigLayer { Url = "http://file:8080", Interval = "2m" };
        var env = AgentConfig.FromEnvironment(name => name == "HEARTBEAT_URL" ? "  " : null);

        var settings = Resolve(file, env, None);

        Assert.Equal(new Uri("http://file:8080"), settings.Url);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.Interval);
    }

    [Fact]
    public void Defaults_are_30_seconds_the_hostname_and_the_state_file()
    {
        var settings = Resolve(new AgentConfigLayer { Url = "http://gw:8080" }, None, None);

        Assert.Equal(TimeSpan.FromSeconds(30), settings.Interval);
        Assert.Equal("web-1.example.com", settings.Name);
        Assert.Equal("/var/lib/heartbeat-agent/state.json", settings.StateFile);
        Assert.Null(settings.MachineId);
    }

    [Fact]
    public void A_list_in_a_later_layer_replaces_the_earlier_one()
    {
        var file = new AgentConfigLayer { Url = "http://gw", Checks = ["true", "disk=df -h /"], Tags = ["web", "eu"] };
        var flags = new AgentConfigLayer { Checks = ["load=uptime"] };

        var settings = Resolve(file, None, flags);

        Assert.Equal([new CheckSpec("load", "uptime")], settings.Checks);
        Assert.Equal(["web", "eu"], settings.Tags);
    }

    [Theory]
    [InlineData("30", 30)]
    [InlineData("30s", 30)]
    [InlineData("2m", 120)]
    [InlineData("1500ms", 1.5)]
    [InlineData("00:00:45", 45)]
    public void Intervals_read_as_durations(string text, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Resolve(new AgentConfigLayer { Url = "http://gw", Interval = text }, None, None).Interval);

    [Theory]
    [InlineData("soon")]
    [InlineData("0s")]
    [InlineData("500ms")]
    public void A_bad_or_too_short_interval_is_a_configuration_error(string text) =>
        Assert.Throws<AgentConfigException>(() => Resolve(new AgentConfigLayer { Url = "http://gw", Interval = text }, None, None));

    [Fact]
    public void No_url_is_a_configuration_error_that_says_how_to_set_it()
    {
        var error = Assert.Throws<AgentConfigException>(() => Resolve(None, None, None));
        Assert.Contains("HEARTBEAT_URL", error.Message);
    }

    [Fact]
    public void A_machine_id_without_a_token_is_a_configuration_error() =>
        Assert.Throws<AgentConfigException>(() => Resolve(new AgentConfigLayer { Url = "http://gw", MachineId = FileId.ToString() }, None, None));

    [Fact]
    public void The_environment_layer_reads_the_documented_variables()
    {
        var env = new Dictionary<string, string>
        {
            ["HEARTBEAT_URL"] = "http://gw", ["HEARTBEAT_MACHINE_ID"] = EnvId.ToString(), ["HEARTBEAT_TOKEN"] = "t",
            ["HEARTBEAT_INTERVAL"] = "10s", ["HEARTBEAT_TAGS"] = "web, eu", ["HEARTBEAT_ENROLLMENT_KEY"] = "k",
        };
        var layer = AgentConfig.FromEnvironment(name => env.GetValueOrDefault(name));

        Assert.Equal("10s", layer.Interval);
        Assert.Equal(["web", "eu"], layer.Tags);
        Assert.Equal("k", layer.EnrollmentKey);
    }

    [Fact]
    public void The_file_is_snake_case_json_with_checks_and_metrics()
    {
        var layer = AgentConfig.FromJson("""
            {
              // comments are allowed
              "url": "http://gw:8080", "machine_id": "0192f0c5-0000-7000-8000-000000000001", "token": "t",
              "interval": 15, "checks": ["disk=test -w /"], "metrics": { "load": "cut -d' ' -f1 /proc/loadavg" },
            }
            """, "/etc/heartbeat/agent.json");

        var settings = Resolve(layer, None, None);

        Assert.Equal(TimeSpan.FromSeconds(15), settings.Interval);
        Assert.Equal(FileId, settings.MachineId);
        Assert.Equal([new CheckSpec("disk", "test -w /")], settings.Checks);
        Assert.Equal([new MetricSpec("load", "cut -d' ' -f1 /proc/loadavg")], settings.Metrics);
    }

    [Fact]
    public void A_broken_file_names_itself() =>
        Assert.Contains("/etc/heartbeat/agent.json", Assert.Throws<AgentConfigException>(() => AgentConfig.FromJson("{ url: ", "/etc/heartbeat/agent.json")).Message);

    [Fact]
    public void The_state_file_follows_systemd_then_root_then_xdg()
    {
        Assert.Equal("/var/lib/heartbeat-agent/state.json", AgentConfig.DefaultStateFile(n => n == "STATE_DIRECTORY" ? "/var/lib/heartbeat-agent" : null, isRoot: false));
        Assert.Equal("/var/lib/heartbeat-agent/state.json", AgentConfig.DefaultStateFile(_ => null, isRoot: true));
        Assert.Equal("/home/ops/.local/state/heartbeat-agent/state.json", AgentConfig.DefaultStateFile(n => n == "HOME" ? "/home/ops" : null, isRoot: false));
    }
}
