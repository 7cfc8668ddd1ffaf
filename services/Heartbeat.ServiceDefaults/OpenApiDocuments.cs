using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Heartbeat.ServiceDefaults;

/// <summary>Which credential an endpoint takes, for the OpenAPI document. <see cref="ApiKeyEndpointExtensions.RequireKey"/> adds it.</summary>
public sealed record CredentialRequirement(params string[] Schemes)
{
    public const string AdminKey = "adminKey";
    public const string ReadKey = "readKey";
    public const string MachineToken = "machineToken";
    public const string EnrollmentKey = "enrollmentKey";
}

/// <summary>
/// Each service's OpenAPI document at <c>/openapi/v1.json</c>, with the platform's credentials described as
/// security schemes and each operation naming the ones it accepts. The gateway merges the services' documents
/// into the public one.
/// </summary>
public static class OpenApiDocuments
{
    private static readonly Dictionary<string, string> Schemes = new()
    {
        [CredentialRequirement.AdminKey] = "An admin key (configured in Heartbeat__AdminKeys): every call.",
        [CredentialRequirement.ReadKey] = "A read key (configured in Heartbeat__ReadKeys): reading status, history, channels and the delivery log.",
        [CredentialRequirement.MachineToken] = "The machine's token, shown once when it was registered or enrolled: its own heartbeats.",
        [CredentialRequirement.EnrollmentKey] = "An enrolment key (configured in Heartbeat__EnrollmentKeys): agents registering themselves.",
    };

    public static IServiceCollection AddHeartbeatOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                foreach (var (id, description) in Schemes)
                    document.Components.SecuritySchemes[id] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.Http,
                        Scheme = "bearer",
                        Description = description + " Sent as Authorization: Bearer <value>.",
                    };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<CredentialRequirement>().LastOrDefault() is not { } requirement)
                    return Task.CompletedTask;
                // Alternatives: any one of the schemes is enough.
                operation.Security = requirement.Schemes
                    .Select(id => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(id, context.Document)] = [] })
                    .ToList();
                return Task.CompletedTask;
            });
        });

    /// <summary>Declares the credential an endpoint takes when it checks it itself (heartbeats, enrolment).</summary>
    public static TBuilder AcceptsCredential<TBuilder>(this TBuilder builder, params string[] schemes) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new CredentialRequirement(schemes));
}
