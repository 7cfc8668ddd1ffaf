using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Heartbeat.Contracts.Events;
using Heartbeat.Prober.Targets;
using Microsoft.AspNetCore.DataProtection;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Heartbeat.Prober.Probing;

/// <summary>
/// ssh: connect, check the host key against the one pinned on first contact, authenticate with the machine's key,
/// and run its command if it has one. A non-zero exit is a warning heartbeat with the first line of the output;
/// a changed host key is a failure (it may be a different machine, or someone in between).
/// </summary>
public static class SshProbe
{
    public const int MaxMessageLength = 500;

    /// <returns>The outcome; its time is set by the caller.</returns>
    public static async Task<ProbeOutcome> RunAsync(ProbeTarget target, IDataProtector privateKeys, CancellationToken ct)
    {
        var probe = target.Probe!;
        var where = $"ssh {probe.User}@{probe.Host}:{probe.Port}";
        ProbeOutcome Failed(string error) => new(target.Id, default, $"{where}: {error}");

        string keyText;
        try
        {
            keyText = privateKeys.Unprotect(probe.ProtectedPrivateKey!);
        }
        catch (CryptographicException)
        {
            return Failed("the private key cannot be decrypted: the prober does not share ingest's Data Protection key ring.");
        }

        using var keyStream = new MemoryStream(Encoding.UTF8.GetBytes(keyText));
        using var key = new PrivateKeyFile(keyStream);
        var connection = new Renci.SshNet.ConnectionInfo(probe.Host!, probe.Port!.Value, probe.User!, new PrivateKeyAuthenticationMethod(probe.User!, key))
        {
            Timeout = probe.Timeout,
        };
        using var client = new SshClient(connection);
        SeenHostKey? seen = null;
        client.HostKeyReceived += (_, e) =>
        {
            seen = new SeenHostKey(e.HostKeyName, "SHA256:" + e.FingerPrintSHA256);
            // Refused before authentication: the key is not offered to a host that is not the pinned one.
            if (target.PinnedHostKey is { } pinned && pinned != seen.Fingerprint) e.CanTrust = false;
        };

        try
        {
            await client.ConnectAsync(ct);
        }
        catch (Exception e) when (e is SshException or SocketException or ProxyException)
        {
            if (seen is not null && target.PinnedHostKey is { } pinned && pinned != seen.Fingerprint)
                return Failed($"the host key changed: pinned {pinned}, now {seen.Fingerprint} ({seen.Algorithm}). " +
                              "If the change is expected, send the machine's probe again (PATCH) to pin the new key.");
            return Failed(e switch
            {
                SshAuthenticationException => "authentication with the private key was refused.",
                SocketException socket => Probes.Describe(socket) + ".",
                SshOperationTimeoutException => $"no answer within {probe.Timeout.TotalSeconds:0.#} s.",
                _ => FirstLine(e.Message) ?? e.GetType().Name,
            });
        }

        var newKey = target.PinnedHostKey is null ? seen : null;
        if (probe.Command is not { } commandText)
            return new ProbeOutcome(target.Id, default, null, NewHostKey: newKey);

        using var command = client.CreateCommand(commandText);
        try
        {
            await command.ExecuteAsync(ct);
        }
        catch (SshException e)
        {
            return Failed($"the command could not be run: {FirstLine(e.Message)}") with { NewHostKey = newKey };
        }
        if (command.ExitStatus is 0)
            return new ProbeOutcome(target.Id, default, null, NewHostKey: newKey);

        var output = FirstLine(command.Result) ?? FirstLine(command.Error) ?? $"exit status {command.ExitStatus}";
        return new ProbeOutcome(target.Id, default, null, ReportedStatus.Warning, output, newKey);
    }

    /// <summary>The first non-blank line, trimmed and bounded; null when there is none.</summary>
    public static string? FirstLine(string? text)
    {
        var line = text?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return line is null ? null : line.Length > MaxMessageLength ? line[..MaxMessageLength] : line;
    }
}
