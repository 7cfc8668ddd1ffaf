using System.Text;
using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Microsoft.AspNetCore.DataProtection;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Heartbeat.Ingest.Machines;

/// <summary>
/// The <c>probe</c> object of a registration or settings change: validated field by field (errors keyed
/// <c>probe.&lt;field&gt;</c>), then turned into stored <see cref="ProbeSettings"/> with the private key encrypted.
/// </summary>
public static class ProbeRegistration
{
    public const int DefaultIntervalSeconds = 30;
    public const int DefaultTimeoutSeconds = 5;
    public const int MaxIntervalSeconds = 24 * 3600;
    public const int MaxTimeoutSeconds = 60;
    public const int DefaultSshPort = 22;
    public const int DefaultExpectStatus = 200;
    private const int MaxPrivateKeyLength = 16 * 1024;

    public static void Validate(ProbeRequest? p, Dictionary<string, string[]> errors)
    {
        if (p is null) return;
        if (!TryParseType(p.Type, out var type))
        {
            errors["probe.type"] = ["The probe type must be ssh, tcp or http."];
            return;
        }

        switch (type)
        {
            case ProbeType.Ssh:
                RequireHost(p, errors);
                ValidatePort(p.Port, required: false, errors);
                if (string.IsNullOrWhiteSpace(p.User)) errors["probe.user"] = ["An ssh probe needs the user to log in as."];
                else if (p.User.Length > 64 || p.User.Any(char.IsWhiteSpace)) errors["probe.user"] = ["The user may be at most 64 characters, without spaces."];
                if (PrivateKeyError(p.PrivateKey) is { } keyError) errors["probe.private_key"] = [keyError];
                if (p.Command is { } command && (string.IsNullOrWhiteSpace(command) || command.Length > 1000))
                    errors["probe.command"] = ["The command, when given, must be 1 to 1000 characters."];
                NotUsed(p.Url, "url", type, errors);
                NotUsed(p.ExpectStatus, "expect_status", type, errors);
                break;
            case ProbeType.Tcp:
                RequireHost(p, errors);
                ValidatePort(p.Port, required: true, errors);
                NotUsed(p.User, "user", type, errors);
                NotUsed(p.PrivateKey, "private_key", type, errors);
                NotUsed(p.Command, "command", type, errors);
                NotUsed(p.Url, "url", type, errors);
                NotUsed(p.ExpectStatus, "expect_status", type, errors);
                break;
            case ProbeType.Http:
                if (!Uri.TryCreate(p.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || p.Url!.Length > 2000)
                    errors["probe.url"] = ["An http probe needs an absolute http:// or https:// URL of at most 2000 characters."];
                if (p.ExpectStatus is < 100 or > 599) errors["probe.expect_status"] = ["The expected status must be between 100 and 599."];
                NotUsed(p.Host, "host", type, errors);
                NotUsed(p.Port, "port", type, errors);
                NotUsed(p.User, "user", type, errors);
                NotUsed(p.PrivateKey, "private_key", type, errors);
                NotUsed(p.Command, "command", type, errors);
                break;
        }

        if (p.IntervalSeconds is < 1 or > MaxIntervalSeconds)
            errors["probe.interval_seconds"] = [$"The probe interval must be between 1 and {MaxIntervalSeconds} seconds."];
        if (p.TimeoutSeconds is < 1 or > MaxTimeoutSeconds)
            errors["probe.timeout_seconds"] = [$"The probe timeout must be between 1 and {MaxTimeoutSeconds} seconds."];
        else if (p.TimeoutSeconds > (p.IntervalSeconds ?? DefaultIntervalSeconds) && !errors.ContainsKey("probe.interval_seconds"))
            errors["probe.timeout_seconds"] = ["The probe timeout may not be longer than its interval."];
    }

    /// <summary>The interval a valid request asks for, for the registration's own checks against the threshold.</summary>
    public static TimeSpan IntervalOf(ProbeRequest p) => TimeSpan.FromSeconds(p.IntervalSeconds ?? DefaultIntervalSeconds);

    /// <summary>
    /// How often a probed machine is expected to be seen: its interval plus its timeout, since a probe may take that
    /// long after it is due. The interval alone showed machines as late for a moment before each probe (measured:
    /// 44 of 10,000 at one instant in the probe benchmark).
    /// </summary>
    public static TimeSpan ExpectedIntervalOf(ProbeRequest p) => IntervalOf(p) + TimeoutOf(p, IntervalOf(p));

    /// <summary>A validated request as stored: defaults filled in, the private key encrypted (it is never stored or returned in clear).</summary>
    public static ProbeSettings Decide(ProbeRequest p, IDataProtector privateKeys)
    {
        TryParseType(p.Type, out var type);
        var interval = IntervalOf(p);
        var timeout = TimeoutOf(p, interval);
        return type switch
        {
            ProbeType.Ssh => new ProbeSettings(type, interval, timeout, Host: p.Host!.Trim(), Port: p.Port ?? DefaultSshPort, User: p.User!.Trim(),
                ProtectedPrivateKey: privateKeys.Protect(NormalizeKey(p.PrivateKey!)), Command: p.Command),
            ProbeType.Tcp => new ProbeSettings(type, interval, timeout, Host: p.Host!.Trim(), Port: p.Port),
            _ => new ProbeSettings(type, interval, timeout, Url: p.Url, ExpectStatus: p.ExpectStatus ?? DefaultExpectStatus),
        };
    }

    // By default 5 s, or the interval when that is shorter: one probe of a machine ends before its next is due.
    private static TimeSpan TimeoutOf(ProbeRequest p, TimeSpan interval) =>
        p.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds)
        : TimeSpan.FromSeconds(DefaultTimeoutSeconds) < interval ? TimeSpan.FromSeconds(DefaultTimeoutSeconds) : interval;

    public static IDataProtector PrivateKeyProtector(this IDataProtectionProvider provider) => provider.CreateProtector(ProbeSettings.PrivateKeyPurpose);

    private static bool TryParseType(string? text, out ProbeType type)
    {
        type = default;
        return text is "ssh" or "tcp" or "http" && Enum.TryParse(text, ignoreCase: true, out type);
    }

    private static void RequireHost(ProbeRequest p, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(p.Host) || p.Host.Trim().Length > 255 || Uri.CheckHostName(p.Host.Trim()) == UriHostNameType.Unknown)
            errors["probe.host"] = [$"A {p.Type} probe needs a host: a DNS name or an IP address."];
    }

    private static void ValidatePort(int? port, bool required, Dictionary<string, string[]> errors)
    {
        if (port is null && required) errors["probe.port"] = ["A tcp probe needs a port."];
        else if (port is < 1 or > 65535) errors["probe.port"] = ["The port must be between 1 and 65535."];
    }

    private static void NotUsed(object? value, string field, ProbeType type, Dictionary<string, string[]> errors)
    {
        if (value is not null) errors[$"probe.{field}"] = [$"A {type.ToString().ToLowerInvariant()} probe has no {field}."];
    }

    /// <summary>Null when the text is a private key SSH.NET can use (OpenSSH or PEM, without a passphrase); otherwise why not.</summary>
    public static string? PrivateKeyError(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "An ssh probe needs a private_key (OpenSSH or PEM format).";
        if (text.Length > MaxPrivateKeyLength) return $"The private key may be at most {MaxPrivateKeyLength} characters.";
        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(NormalizeKey(text)));
            using var key = new PrivateKeyFile(stream);
            return null;
        }
        catch (SshPassPhraseNullOrEmptyException)
        {
            return PassphraseError;
        }
        // Untrusted input into a parser that throws whatever its internals throw (ASN.1, BouncyCastle, format
        // errors): any failure means the prober could not use this key either.
        catch (Exception)
        {
            return text.Contains("ENCRYPTED", StringComparison.Ordinal)
                ? PassphraseError
                : "The private key is not an OpenSSH or PEM private key SSH.NET can read.";
        }
    }

    private const string PassphraseError = "The private key is protected by a passphrase; give a key without one (it is stored encrypted).";

    // Keys pasted into JSON often lose their final newline or carry \r\n; the parsers want plain lines.
    private static string NormalizeKey(string text) => text.Replace("\r\n", "\n").Trim() + "\n";
}
