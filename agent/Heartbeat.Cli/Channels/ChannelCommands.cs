using System.CommandLine;
using System.Net;
using Heartbeat.Client;
using Heartbeat.Contracts.Http;
using Spectre.Console;

namespace Heartbeat.Cli.Channels;

/// <summary><c>heartbeat channels add TYPE URL --secret S | list | test CHANNEL</c>.</summary>
public static class ChannelCommands
{
    public static Command Add()
    {
        var type = new Argument<string>("type") { Description = "The channel type: webhook." };
        var url = new Argument<string>("url") { Description = "Where transitions are POSTed." };
        var secret = new Option<string?>("--secret") { Description = "Signs every body (HMAC-SHA256); at least 16 characters.", Required = true };
        var name = new Option<string?>("--name") { Description = "The channel's name (default: type and host)." };
        var command = new Command("add", "Add a notification channel.") { type, url, secret, name };
        command.SetAction(CliSession.Run(async (session, parsed, ct) =>
        {
            var target = parsed.GetValue(url)!;
            var channelName = parsed.GetValue(name) ?? $"{parsed.GetValue(type)} {(Uri.TryCreate(target, UriKind.Absolute, out var u) ? u.Host : target)}";
            var channel = (await session.Client.Channels.Create(new CreateChannelRequest(channelName, parsed.GetValue(type), target, parsed.GetValue(secret)), ct)).ContentOrThrow();
            if (session.Json) session.WriteJson(channel);
            else Console.Out.WriteLine($"Added channel {channel.Name} ({channel.Id})");
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command List()
    {
        var command = new Command("list", "The notification channels (secrets are never shown).");
        command.SetAction(CliSession.Run(async (session, _, ct) =>
        {
            var channels = (await session.Client.Channels.List(ct)).ContentOrThrow();
            if (session.Json)
            {
                session.WriteJson(channels);
                return ExitCodes.Ok;
            }
            var table = new Table().Border(TableBorder.Simple).AddColumns("ID", "NAME", "TYPE", "URL", "CREATED");
            foreach (var c in channels)
                table.AddRow(Markup.Escape(c.Id.ToString()), Markup.Escape(c.Name), Markup.Escape(c.Type), Markup.Escape(c.Url ?? "(hidden from read keys)"), c.CreatedAt.ToString("yyyy-MM-dd HH:mm'Z'"));
            if (channels.Count > 0) session.Out.Write(table);
            session.Out.WriteLine($"{channels.Count} channel{(channels.Count == 1 ? "" : "s")}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    public static Command Test()
    {
        var channel = new Argument<string>("channel") { Description = "The channel's name or id." };
        var command = new Command("test", "Send a test notification through the channel.") { channel };
        command.SetAction(CliSession.Run(async (session, parsed, ct) =>
        {
            var wanted = parsed.GetValue(channel)!;
            var channels = (await session.Client.Channels.List(ct)).ContentOrThrow();
            var found = channels.Where(c => c.Id.ToString() == wanted || string.Equals(c.Name, wanted, StringComparison.OrdinalIgnoreCase)).ToList();
            if (found.Count == 0) throw new CliException($"There is no channel '{wanted}' (heartbeat channels list shows them).");
            if (found.Count > 1) throw new CliException($"{found.Count} channels are named '{wanted}'; name one by its id: {string.Join(", ", found.Select(c => c.Id))}.");

            var response = await session.Client.ChannelTests.Test(found[0].Id, ct);
            // The channel exists (it was just listed), so a 404 or 405 means this platform has no test call.
            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed)
                throw new CliException($"This platform cannot test channels yet: POST /api/channels/{found[0].Id}/test answered {(int)response.StatusCode!}.");
            response.EnsureSuccess();
            if (session.Json) session.WriteJson(new { id = found[0].Id, name = found[0].Name, result = "sent" });
            else Console.Out.WriteLine($"Test notification sent through {found[0].Name} ({found[0].Id})");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
