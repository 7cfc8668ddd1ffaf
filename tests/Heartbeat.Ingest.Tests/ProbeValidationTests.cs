using System.Security.Cryptography;
using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.Ingest.Machines;
using Microsoft.AspNetCore.DataProtection;

namespace Heartbeat.Ingest.Tests;

public class ProbeValidationTests
{
    private static readonly string RsaKey = RSA.Create(2048).ExportRSAPrivateKeyPem();

    private static Dictionary<string, string[]> Errors(ProbeRequest probe, int? thresholdSeconds = null) =>
        RegisterMachine.Validate(new RegisterMachineRequest("db-1", OfflineThresholdSeconds: thresholdSeconds, Probe: probe));

    [Fact]
    public void A_tcp_probe_needs_only_host_and_port() =>
        Assert.Empty(Errors(new ProbeRequest("tcp", Host: "db-1.example.com", Port: 5432)));

    [Fact]
    public void An_http_probe_needs_only_a_url() =>
        Assert.Empty(Errors(new ProbeRequest("http", Url: "https://shop.example.com/health")));

    [Fact]
    public void An_ssh_probe_needs_host_user_and_a_readable_private_key()
    {
        Assert.Empty(Errors(new ProbeRequest("ssh", Host: "10.0.0.5", User: "probe", PrivateKey: RsaKey)));
        Assert.Empty(Errors(new ProbeRequest("ssh", Host: "10.0.0.5", User: "probe", PrivateKey: ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportECPrivateKeyPem(), Command: "uptime")));
        Assert.Equal(["probe.user", "probe.private_key"], Errors(new ProbeRequest("ssh", Host: "10.0.0.5")).Keys);
    }

    [Theory]
    [InlineData("not a key")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----")]
    public void A_private_key_that_does_not_parse_is_refused(string key) =>
        Assert.Equal(["probe.private_key"], Errors(new ProbeRequest("ssh", Host: "h", User: "u", PrivateKey: key)).Keys);

    [Fact]
    public void A_passphrase_protected_key_is_refused_with_that_reason()
    {
        var encrypted = RSA.Create(2048).ExportEncryptedPkcs8PrivateKeyPem("secret",
            new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000));
        var errors = Errors(new ProbeRequest("ssh", Host: "h", User: "u", PrivateKey: encrypted));
        Assert.Contains("passphrase", Assert.Single(errors["probe.private_key"]));
    }

    [Theory]
    [InlineData(null, "probe.type")]
    [InlineData("icmp", "probe.type")]
    [InlineData("SSH", "probe.type")]
    public void The_type_is_ssh_tcp_or_http(string? type, string field) =>
        Assert.Equal([field], Errors(new ProbeRequest(type, Host: "h", Port: 1)).Keys);

    [Theory]
    [InlineData(null, "probe.port")]
    [InlineData(0, "probe.port")]
    [InlineData(65536, "probe.port")]
    public void A_tcp_port_is_required_and_in_range(int? port, string field) =>
        Assert.Equal([field], Errors(new ProbeRequest("tcp", Host: "h", Port: port)).Keys);

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("bad_host!")]
    public void A_host_must_be_a_name_or_an_address(string host) =>
        Assert.Equal(["probe.host"], Errors(new ProbeRequest("tcp", Host: host, Port: 22)).Keys);

    [Theory]
    [InlineData("/relative")]
    [InlineData("ftp://files.example.com/")]
    [InlineData("not a url")]
    public void An_http_url_is_absolute_http_or_https(string url) =>
        Assert.Equal(["probe.url"], Errors(new ProbeRequest("http", Url: url)).Keys);

    [Theory]
    [InlineData(99)]
    [InlineData(600)]
    public void The_expected_status_is_an_http_status(int status) =>
        Assert.Equal(["probe.expect_status"], Errors(new ProbeRequest("http", Url: "http://a/", ExpectStatus: status)).Keys);

    [Fact]
    public void Interval_and_timeout_are_bounded_and_the_timeout_fits_in_the_interval()
    {
        Assert.Equal(["probe.interval_seconds"], Errors(new ProbeRequest("tcp", Host: "h", Port: 1, IntervalSeconds: 0)).Keys);
        Assert.Equal(["probe.interval_seconds"], Errors(new ProbeRequest("tcp", Host: "h", Port: 1, IntervalSeconds: 86_401)).Keys);
        Assert.Equal(["probe.timeout_seconds"], Errors(new ProbeRequest("tcp", Host: "h", Port: 1, TimeoutSeconds: 61)).Keys);
        Assert.Equal(["probe.timeout_seconds"], Errors(new ProbeRequest("tcp", Host: "h", Port: 1, IntervalSeconds: 3, TimeoutSeconds: 4)).Keys);
        Assert.Equal(["probe.interval_seconds"], Errors(new ProbeRequest("tcp", Host: "h", Port: 1, IntervalSeconds: 60), thresholdSeconds: 30).Keys);
    }

    [Fact]
    public void Fields_of_another_type_are_named_as_not_used() =>
        Assert.Equal(["probe.private_key", "probe.url"], Errors(new ProbeRequest("tcp", Host: "h", Port: 1, PrivateKey: "x", Url: "http://a/")).Keys.Order());

    [Fact]
    public void The_stored_probe_has_defaults_and_an_encrypted_key_only()
    {
        var protection = new EphemeralDataProtectionProvider();
        var stored = ProbeRegistration.Decide(new ProbeRequest("ssh", Host: " db-1 ", User: "probe", PrivateKey: RsaKey), protection.PrivateKeyProtector());

        Assert.Equal(ProbeType.Ssh, stored.Type);
        Assert.Equal(("db-1", 22), (stored.Host, stored.Port));
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5)), (stored.Interval, stored.Timeout));
        Assert.DoesNotContain("PRIVATE KEY", stored.ProtectedPrivateKey);
        Assert.Equal(RsaKey.Trim() + "\n", protection.PrivateKeyProtector().Unprotect(stored.ProtectedPrivateKey!));
    }

    [Fact]
    public void The_default_timeout_is_five_seconds_or_the_interval_when_shorter()
    {
        var protector = new EphemeralDataProtectionProvider().PrivateKeyProtector();
        Assert.Empty(Errors(new ProbeRequest("tcp", Host: "h", Port: 1, IntervalSeconds: 2)));
        Assert.Equal(TimeSpan.FromSeconds(2), ProbeRegistration.Decide(new ProbeRequest("tcp", Host: "h", Port: 1, IntervalSeconds: 2), protector).Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5), ProbeRegistration.Decide(new ProbeRequest("tcp", Host: "h", Port: 1, IntervalSeconds: 10), protector).Timeout);
    }

    [Fact]
    public void A_probed_machine_is_expected_every_interval_plus_timeout() =>
        Assert.Equal(TimeSpan.FromSeconds(35), ProbeRegistration.ExpectedIntervalOf(new ProbeRequest("tcp", Host: "h", Port: 1)));

    [Fact]
    public void An_http_probe_expects_200_unless_told()
    {
        var stored = ProbeRegistration.Decide(new ProbeRequest("http", Url: "https://a/health", IntervalSeconds: 60), new EphemeralDataProtectionProvider().PrivateKeyProtector());
        Assert.Equal((200, TimeSpan.FromSeconds(60)), (stored.ExpectStatus, stored.Interval));
    }
}
