using Heartbeat.ServiceDefaults.Machines;
using System.Security.Cryptography;
using System.Text;
using Heartbeat.Contracts.Events;
using Heartbeat.Contracts.Http;
using Heartbeat.ServiceDefaults;
using Marten;
using JasperFx;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Heartbeat.Ingest.Machines;

/// <summary>
/// Which machine an enrolment identity (name + hostname) became. Its id is derived from the identity, so
/// the unique primary key makes two agents enrolling the same identity at once end up with one machine.
/// </summary>
public sealed record MachineEnrollment(string Id, string Name, string Hostname, Guid MachineId);

/// <summary>
/// Enrolment keys from configuration (<c>Heartbeat:EnrollmentKeys</c>, env <c>Heartbeat__EnrollmentKeys</c>,
/// comma-separated). Kept as SHA-256 digests and compared in fixed time, like the admin keys.
/// </summary>
public sealed class EnrollmentKeys(IConfiguration configuration)
{
    private readonly byte[][] _keys = ApiKeys.ReadList(configuration.GetSection("Heartbeat:EnrollmentKeys")).Select(Digest).ToArray();

    public bool Allows(string? presented) =>
        !string.IsNullOrEmpty(presented) && presented.Length <= 256 && _keys.Any(k => CryptographicOperations.FixedTimeEquals(k, Digest(presented)));

    private static byte[] Digest(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

/// <summary>
/// <c>POST /api/machines/enroll</c>: an agent registers itself with an enrolment key (fleets started from an
/// image or cloud-init, where nobody hands out tokens). Idempotent by name + hostname: enrolling an identity
/// again returns the same machine with a new token, and the old token stops working (an image re-provisioned
/// under the same name must not leave a second valid token behind). A retired machine is not revived: its
/// identity enrols as a new machine. Re-enrolment changes only the token, not the machine's tags or settings.
/// </summary>
public static class EnrollMachine
{
    public static Dictionary<string, string[]> Validate(EnrollMachineRequest r)
    {
        var errors = RegisterMachine.Validate(new RegisterMachineRequest(r.Name, r.Hostname, Tags: r.Tags));
        if (string.IsNullOrWhiteSpace(r.Hostname)) errors["hostname"] = ["A hostname is required: with the name it identifies the machine on re-enrolment."];
        return errors;
    }

    /// <summary>Case-insensitive for the hostname (DNS names are), exact for the name; hashed so any characters fit the key.</summary>
    public static string IdentityOf(string name, string hostname) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{hostname.Trim().ToLowerInvariant()}\n{name.Trim()}")));

    public static async Task<Results<Created<RegisteredMachine>, Ok<RegisteredMachine>, ValidationProblem, ProblemHttpResult>> Handle(
        HttpRequest request, IDocumentStore store, EnrollmentKeys enrollmentKeys, ApiKeys apiKeys, MachineDirectory directory,
        TimeProvider clock, IOptions<IngestOptions> options, CancellationToken ct)
    {
        var key = ApiKeys.BearerOf(request);
        if (!enrollmentKeys.Allows(key) && !apiKeys.Allows(key, KeyRole.Admin))
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "Enrolment needs an enrolment key (configured in Heartbeat__EnrollmentKeys): Authorization: Bearer <enrolment key>.");
        }

        var body = await JsonBody.ReadAsync<EnrollMachineRequest>(request);
        if (body.Problem is not null) return body.Problem;
        var r = body.Value!;
        var errors = Validate(r);
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, detail: "The machine was not enrolled: see errors.");

        var name = r.Name!.Trim();
        var hostname = r.Hostname!.Trim();
        var identity = IdentityOf(name, hostname);
        var heartbeatUrl = (Guid id) => $"{options.Value.PublicUrl.TrimEnd('/')}/api/heartbeat/{id}";

        // Two tries: a concurrent first enrolment of the same identity wins the insert, and this one then
        // rotates the token of the machine that one created.
        for (var attempt = 0; ; attempt++)
        {
            await using var session = store.LightweightSession();
            var token = MachineTokens.NewToken();
            var now = clock.GetUtcNow();
            var enrolled = await session.LoadAsync<MachineEnrollment>(identity, ct);
            var machine = enrolled is null ? null : await session.LoadAsync<MachineState>(enrolled.MachineId, ct);

            if (machine is { Retired: false })
            {
                session.Events.Append(machine.Id, new MachineTokenRotated(machine.Id, MachineTokens.Hash(token), now));
                await session.SaveChangesAsync(ct);
                directory.Forget(machine.Id);
                return TypedResults.Ok(new RegisteredMachine(machine.Id, machine.Name, token, heartbeatUrl(machine.Id)));
            }

            var id = Guid.CreateVersion7();
            session.Events.StartStream(id, new MachineRegistered(
                id, name, hostname, Description: null, r.Tags?.Select(t => t.Trim()).ToArray() ?? [],
                OfflineThreshold: null, ExpectedInterval: null, MachineTokens.Hash(token), now));
            var mapping = new MachineEnrollment(identity, name, hostname, id);
            if (enrolled is null) session.Insert(mapping);
            else session.Update(mapping); // the identity's machine was retired: it now names the new one
            try
            {
                await session.SaveChangesAsync(ct);
            }
            catch (DocumentAlreadyExistsException) when (attempt == 0)
            {
                continue;
            }
            return TypedResults.Created($"/api/machines/{id}", new RegisteredMachine(id, name, token, heartbeatUrl(id)));
        }
    }
}
