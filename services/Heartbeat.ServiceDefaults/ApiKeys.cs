using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Heartbeat.ServiceDefaults;

public enum KeyRole { Read, Admin }

/// <summary>
/// Admin and read keys from configuration (<c>Heartbeat:AdminKeys</c>, <c>Heartbeat:ReadKeys</c>, each a list
/// or a comma-separated string). Callers present one as <c>Authorization: Bearer &lt;key&gt;</c>.
/// Only SHA-256 digests are kept and compared in fixed time.
/// </summary>
public sealed class ApiKeys
{
    private readonly byte[][] _admin;
    private readonly byte[][] _read;

    public ApiKeys(IEnumerable<string> adminKeys, IEnumerable<string> readKeys)
    {
        _admin = adminKeys.Select(Digest).ToArray();
        _read = readKeys.Select(Digest).ToArray();
    }

    public static ApiKeys FromConfiguration(IConfiguration configuration) =>
        new(ReadList(configuration.GetSection("Heartbeat:AdminKeys")), ReadList(configuration.GetSection("Heartbeat:ReadKeys")));

    public bool HasAdminKeys => _admin.Length > 0;

    /// <summary>An admin key may do everything a read key may.</summary>
    public bool Allows(string? presentedKey, KeyRole role)
    {
        if (string.IsNullOrEmpty(presentedKey)) return false;
        var digest = Digest(presentedKey);
        return _admin.Any(k => CryptographicOperations.FixedTimeEquals(k, digest))
            || (role == KeyRole.Read && _read.Any(k => CryptographicOperations.FixedTimeEquals(k, digest)));
    }

    public static string? BearerOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? header[prefix.Length..].Trim() : null;
    }

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>A key list from configuration: a list, a comma-separated string, or both.</summary>
    public static IEnumerable<string> ReadList(IConfigurationSection section)
    {
        var items = section.GetChildren().Select(c => c.Value).ToList();
        if (section.Value is { } single) items.Add(single);
        return items
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct();
    }
}

public static class ApiKeyEndpointExtensions
{
    /// <summary>
    /// A service with keyed calls refuses to start without an admin key, rather than run with every call
    /// refused (compose and scripts/up pass HEARTBEAT_ADMIN_KEY through).
    /// </summary>
    public static IHostApplicationBuilder RequireAdminKeys(this IHostApplicationBuilder builder)
    {
        if (!ApiKeys.FromConfiguration(builder.Configuration).HasAdminKeys)
            throw new InvalidOperationException(
                "No admin key is configured: set Heartbeat:AdminKeys (env Heartbeat__AdminKeys; scripts/up and compose take HEARTBEAT_ADMIN_KEY).");
        return builder;
    }

    internal static IServiceCollection AddApiKeys(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton(_ => ApiKeys.FromConfiguration(configuration));

    /// <summary>Answers 401 problem details unless the request carries a key of at least <paramref name="role"/>.</summary>
    public static TBuilder RequireKey<TBuilder>(this TBuilder builder, KeyRole role) where TBuilder : IEndpointConventionBuilder =>
        builder.AcceptsCredential(role == KeyRole.Admin ? [CredentialRequirement.AdminKey] : [CredentialRequirement.ReadKey, CredentialRequirement.AdminKey])
        .AddEndpointFilter(async (context, next) =>
        {
            var keys = context.HttpContext.RequestServices.GetRequiredService<ApiKeys>();
            if (keys.Allows(ApiKeys.BearerOf(context.HttpContext.Request), role))
                return await next(context);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: role == KeyRole.Admin
                    ? "This call needs an admin key: Authorization: Bearer <admin key>."
                    : "This call needs a read or admin key: Authorization: Bearer <key>.");
        });
}
