using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Heartbeat.Notifier.Tests;

public class NotifierOptionsTests
{
    private static (NotifierOptions Options, List<ValidationResult> Errors) Bind(Dictionary<string, string?> settings)
    {
        var options = new NotifierOptions();
        NotifierOptions.Bind(options, new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var errors = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), errors, validateAllProperties: true);
        return (options, errors);
    }

    [Fact]
    public void The_defaults_are_valid() => Assert.Empty(Bind([]).Errors);

    [Fact]
    public void Durations_read_as_in_the_rest_of_the_platform()
    {
        var (options, errors) = Bind(new() { ["Notifier:Delivery:FirstRetryDelay"] = "500ms", ["Notifier:Delivery:MaxRetryDelay"] = "00:00:02" });

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Delivery.FirstRetryDelay);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Delivery.MaxRetryDelay);
    }

    [Theory]
    [InlineData("Notifier:Delivery:MaxAttempts", "0", "MaxAttempts")]
    [InlineData("Notifier:Delivery:MaxRetryDelay", "1s", "MaxRetryDelay")]
    [InlineData("Notifier:Delivery:Lease", "15s", "Lease")]
    [InlineData("Notifier:Smtp:Security", "ssl", "Security")]
    [InlineData("Notifier:Telegram:ApiBaseUrl", "not a url", "ApiBaseUrl")]
    [InlineData("Notifier:Smtp:Host", "smtp.example.net", "From")]
    public void Bad_settings_fail_naming_the_setting(string key, string value, string named) =>
        Assert.Contains(Bind(new() { [key] = value }).Errors, e => e.ErrorMessage!.Contains(named));
}
