using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using PosGreenPoints.Contracts;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Http;

namespace PosGreenPoints.Functions.Functions;

/// <summary>The operator's endpoints for chains and API clients (api.md, Admin).</summary>
public sealed class AdminFunctions(ApiGate gate, ChainRegistry chains, ClientRegistry clients, ILogger<AdminFunctions> logger)
{
    /// <summary>Registers a chain (201 with a Location) or updates it (200); both answer the chain as stored.</summary>
    [Function("AdminPutChain")]
    public Task<IActionResult> PutChain(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/admin/chains/{chainId}")] HttpRequest request,
        string chainId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.AdminPutChain, async caller =>
        {
            var (registration, problem) = await RequestBody.ReadJsonAsync<ChainRegistration>(request, Limits.MaxAdminBodyBytes, cancellationToken);
            if (registration is null)
            {
                return problem!;
            }

            var upsert = await chains.UpsertAsync(chainId, registration, cancellationToken);
            switch (upsert)
            {
                case ChainUpsert.Created created:
                    logger.LogInformation("{Operator} registered the chain {ChainId} in {TimeZone}", caller.ClientId, chainId, created.Chain.TimeZone.Id);
                    return new CreatedResult(request.Path.ToUriComponent(), View(created.Chain));
                case ChainUpsert.Updated updated:
                    logger.LogInformation("{Operator} updated the chain {ChainId}: {TimeZone}", caller.ClientId, chainId, updated.Chain.TimeZone.Id);
                    return new OkObjectResult(View(updated.Chain));
                case ChainUpsert.Invalid invalid:
                    return Problems.Validation(new Dictionary<string, string[]>(invalid.Errors));
                case ChainUpsert.TimeZoneLocked locked:
                    return Problems.Conflict(ProblemTypes.ChainTimeZoneLocked, "The chain's time zone is locked",
                        $"The chain has posted receipts in {locked.Chain.TimeZone.Id}; their ids hold business dates in that zone, so it can no longer change.");
                default:
                    throw new UnreachableException();
            }
        }, cancellationToken);

    /// <summary>Creates a client and answers its key, the only time the key is shown.</summary>
    [Function("AdminCreateClient")]
    public Task<IActionResult> CreateClient(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/admin/clients")] HttpRequest request,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.AdminCreateClient, async caller =>
        {
            var (clientRequest, problem) = await RequestBody.ReadJsonAsync<CreateClientRequest>(request, Limits.MaxAdminBodyBytes, cancellationToken);
            if (clientRequest is null)
            {
                return problem!;
            }

            var creation = await clients.CreateAsync(clientRequest, cancellationToken);
            switch (creation)
            {
                case ClientCreation.Created created:
                    var client = created.Client;
                    logger.LogInformation("{Operator} created the client {ClientId} ({Role}, chains {Chains})",
                        caller.ClientId, client.ClientId, RoleNames.ToName(client.Role), string.Join(",", client.Chains));
                    // The key is in this body: no cache or proxy may keep it.
                    request.HttpContext.Response.Headers.CacheControl = "no-store";
                    return new ObjectResult(new CreatedClient(client.ClientId, RoleNames.ToName(client.Role), client.Chains, created.ApiKey))
                    {
                        StatusCode = StatusCodes.Status201Created,
                    };
                case ClientCreation.Invalid invalid:
                    return Problems.Validation(new Dictionary<string, string[]>(invalid.Errors));
                case ClientCreation.ChainsNotRegistered unregistered:
                    return Problems.Create(
                        StatusCodes.Status422UnprocessableEntity,
                        ProblemTypes.ChainNotRegistered,
                        "A chain is not registered.",
                        "Register each chain with PUT /api/v1/admin/chains/{chainId} before giving it to a client.",
                        new Dictionary<string, string[]>(unregistered.Errors));
                case ClientCreation.IdTaken:
                    return Problems.Conflict(
                        ProblemTypes.Conflict,
                        "The client id is taken.",
                        "A client with this id exists or was revoked; client ids are never reused.");
                default:
                    throw new UnreachableException();
            }
        }, cancellationToken);

    /// <summary>Revokes a client: its key stops working at once, on every instance. Revoking again is a 204 too.</summary>
    [Function("AdminRevokeClient")]
    public Task<IActionResult> RevokeClient(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/admin/clients/{clientId}")] HttpRequest request,
        string clientId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.AdminRevokeClient, async caller =>
        {
            if (!ApiKeys.IsValidClientId(clientId))
            {
                return Problems.Validation(
                    new Dictionary<string, string[]> { ["clientId"] = [$"must be {Ids.DotlessRule}."] },
                    "The client id in the path is not valid.");
            }

            switch (await clients.RevokeAsync(clientId, cancellationToken))
            {
                case ClientRevocation.Revoked:
                    logger.LogInformation("{Operator} revoked the client {ClientId}", caller.ClientId, clientId);
                    return new NoContentResult();
                case ClientRevocation.AlreadyRevoked:
                    return new NoContentResult();
                case ClientRevocation.NotFound:
                    return Problems.NotFound("There is no client with this id.");
                default:
                    throw new UnreachableException();
            }
        }, cancellationToken);

    private static ChainView View(Chain chain) => new(chain.ChainId, chain.Name, chain.TimeZone.Id, chain.Kind);
}
