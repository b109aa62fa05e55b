using System.Collections.Concurrent;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using PosGreenPoints.Contracts;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Infrastructure.Auth;

namespace PosGreenPoints.Functions.Admin;

/// <summary>A stored API client. <see cref="SecretHash"/> is empty once it is revoked.</summary>
public sealed record ApiClient(
    string ClientId,
    Role Role,
    IReadOnlyList<string> Chains,
    ReadOnlyMemory<byte> SecretHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt)
{
    public bool IsRevoked => RevokedAt is not null;
}

/// <summary>What creating a client came to.</summary>
public abstract record ClientCreation
{
    private ClientCreation()
    {
    }

    public sealed record Created(ApiClient Client, string ApiKey) : ClientCreation
    {
        // A record prints every property; the key must never reach a log that way.
        public override string ToString() => $"{nameof(Created)} {{ ClientId = {Client.ClientId} }}";
    }

    /// <param name="Errors">Messages by JSON path of the request.</param>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : ClientCreation;

    /// <param name="Errors">Messages at <c>chains[i]</c> for each chain that is not registered.</param>
    public sealed record ChainsNotRegistered(IReadOnlyDictionary<string, string[]> Errors) : ClientCreation;

    /// <summary>The client id is taken, by a live client or a revoked one.</summary>
    public sealed record IdTaken : ClientCreation;
}

public enum ClientRevocation
{
    Revoked,
    AlreadyRevoked,
    NotFound,
}

/// <summary>The role names of the wire and of storage.</summary>
public static class RoleNames
{
    public static string ToName(Role role) => role switch
    {
        Role.Pos => ClientRoles.Pos,
        Role.Chain => ClientRoles.Chain,
        Role.App => ClientRoles.App,
        Role.Operator => ClientRoles.Operator,
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Not a role."),
    };

    public static bool TryParse(string? name, out Role role)
    {
        (var known, role) = name switch
        {
            ClientRoles.Pos => (true, Role.Pos),
            ClientRoles.Chain => (true, Role.Chain),
            ClientRoles.App => (true, Role.App),
            ClientRoles.Operator => (true, Role.Operator),
            _ => (false, default),
        };
        return known;
    }
}

/// <summary>
/// The API clients, one entity each in the Clients table (PartitionKey = client id, so lookups spread
/// over as many partitions as there are clients).
/// </summary>
/// <remarks>
/// A client id is never reused: a revoked client stays as a tombstone (without its key hash), and
/// creating a client with its id is a conflict. Whatever was logged or settled under an id keeps
/// meaning that one client.
/// </remarks>
public sealed class ClientRegistry(TableServiceClient tables, StorageProvisioner provisioner, ChainRegistry chains, TimeProvider timeProvider)
{
    private const string RowKey = "client";
    private const string RoleProperty = "Role";
    private const string ChainsProperty = "Chains";
    private const string SecretHashProperty = "SecretHash";
    private const string CreatedAtProperty = "CreatedAt";
    private const string RevokedAtProperty = "RevokedAt";

    /// <summary>How many chains are looked up at once while checking a new client's chains.</summary>
    private const int ChainLookupConcurrency = 16;

    private readonly ProvisionedTable _table = new(provisioner, tables, StorageNames.Tables.Clients);

    /// <summary>Validates the request, checks that its chains are registered and stores the client with a new key.</summary>
    public async Task<ClientCreation> CreateAsync(CreateClientRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        var errors = Validate(request, out var role);
        if (errors.Count > 0)
        {
            return new ClientCreation.Invalid(errors);
        }

        var chainIds = request.Chains ?? [];
        var unregistered = await FindUnregisteredAsync(chainIds, cancellationToken);
        if (unregistered.Count > 0)
        {
            return new ClientCreation.ChainsNotRegistered(unregistered);
        }

        var issued = ApiKeys.Issue(request.ClientId);
        var client = new ApiClient(request.ClientId, role, [.. chainIds], issued.SecretHash, timeProvider.GetUtcNow(), RevokedAt: null);
        var table = await _table.GetAsync(cancellationToken);
        try
        {
            // An insert, never an upsert: two concurrent creations of one id end in one client and one conflict.
            await table.AddEntityAsync(ToEntity(client), cancellationToken);
        }
        catch (RequestFailedException failure) when (failure.Status == 409)
        {
            return new ClientCreation.IdTaken();
        }

        return new ClientCreation.Created(client, issued.Key);
    }

    /// <summary>
    /// Reads the client from storage on every call. Clients are deliberately not cached in the
    /// instance: a revocation must stop the key on every instance at once, and a cache would keep a
    /// revoked key working elsewhere until its entry expired.
    /// </summary>
    /// <returns>The client, revoked or not, or <c>null</c> when there is none with this id.</returns>
    public async Task<ApiClient?> FindAsync(string clientId, CancellationToken cancellationToken)
    {
        if (!ApiKeys.IsValidClientId(clientId))
        {
            return null;
        }

        var table = await _table.GetAsync(cancellationToken);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(clientId, RowKey, cancellationToken: cancellationToken);
        return response.HasValue ? ToClient(response.Value!) : null;
    }

    /// <summary>Revokes the client: its key stops working at once. Revoking twice keeps the first revocation's time.</summary>
    public async Task<ClientRevocation> RevokeAsync(string clientId, CancellationToken cancellationToken)
    {
        if (!ApiKeys.IsValidClientId(clientId))
        {
            return ClientRevocation.NotFound;
        }

        var table = await _table.GetAsync(cancellationToken);
        while (true)
        {
            var response = await table.GetEntityIfExistsAsync<TableEntity>(clientId, RowKey, cancellationToken: cancellationToken);
            if (!response.HasValue)
            {
                return ClientRevocation.NotFound;
            }

            var entity = response.Value!;
            if (entity.GetDateTimeOffset(RevokedAtProperty) is not null)
            {
                return ClientRevocation.AlreadyRevoked;
            }

            // The hash goes too: a tombstone needs no secret, and nothing can match a hash that is not there.
            entity.Remove(SecretHashProperty);
            entity[RevokedAtProperty] = timeProvider.GetUtcNow();
            try
            {
                await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace, cancellationToken);
                return ClientRevocation.Revoked;
            }
            catch (RequestFailedException failure) when (failure.Status == 412)
            {
                // Changed since it was read (a concurrent revocation): read it again.
            }
        }
    }

    private static Dictionary<string, string[]> Validate(CreateClientRequest request, out Role role)
    {
        var errors = new Dictionary<string, string[]>();

        // The wire may omit a field the contract type declares non-null: System.Text.Json leaves it null.
        if (string.IsNullOrEmpty(request.ClientId))
        {
            errors["clientId"] = ["is required."];
        }
        else if (!ApiKeys.IsValidClientId(request.ClientId))
        {
            errors["clientId"] = [$"must be {Ids.DotlessRule}."];
        }
        else if (request.ClientId == ApiKeys.BootstrapOperatorClientId)
        {
            errors["clientId"] = ["is reserved for the bootstrap operator key of the configuration."];
        }

        var knownRole = RoleNames.TryParse(request.Role, out role);
        if (!knownRole)
        {
            errors["role"] = [$"must be '{ClientRoles.Pos}', '{ClientRoles.Chain}', '{ClientRoles.App}' or '{ClientRoles.Operator}'."];
        }

        var chainIds = request.Chains ?? [];
        if (knownRole && role == Role.Operator && chainIds.Count > 0)
        {
            errors["chains"] = ["must be empty for the operator role, which has every chain."];
        }
        else if (knownRole && role == Role.App && chainIds.Count > 0)
        {
            // Refused rather than ignored: stored chains would suggest a scope that nothing enforces.
            errors["chains"] = ["must be empty for the app role, which reads members scheme-wide and has no chain."];
        }
        else if (knownRole && role is (Role.Pos or Role.Chain) && chainIds.Count == 0)
        {
            errors["chains"] = [$"must name at least one chain for the '{RoleNames.ToName(role)}' role."];
        }
        else if (chainIds.Count > Limits.MaxChainsPerClient)
        {
            errors["chains"] = [$"must name at most {Limits.MaxChainsPerClient} chains."];
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var index = 0; index < chainIds.Count; index++)
            {
                var chainId = chainIds[index];
                if (!ChainRegistry.IsValidChainId(chainId))
                {
                    errors[$"chains[{index}]"] = [$"must be a chain id: {Ids.Rule}."];
                }
                else if (!seen.Add(chainId))
                {
                    errors[$"chains[{index}]"] = ["appears more than once."];
                }
            }
        }

        return errors;
    }

    private async Task<Dictionary<string, string[]>> FindUnregisteredAsync(IReadOnlyList<string> chainIds, CancellationToken cancellationToken)
    {
        var unregistered = new ConcurrentDictionary<string, string[]>();
        await Parallel.ForEachAsync(
            chainIds.Select((chainId, index) => (chainId, index)),
            new ParallelOptions { MaxDegreeOfParallelism = ChainLookupConcurrency, CancellationToken = cancellationToken },
            async (item, token) =>
            {
                if (await chains.GetAsync(item.chainId, token) is null)
                {
                    unregistered[$"chains[{item.index}]"] = ["is not a registered chain: register it with PUT /api/v1/admin/chains/{chainId} first."];
                }
            });
        return new Dictionary<string, string[]>(unregistered);
    }

    private static TableEntity ToEntity(ApiClient client) =>
        new(client.ClientId, RowKey)
        {
            [RoleProperty] = RoleNames.ToName(client.Role),
            [ChainsProperty] = JsonSerializer.Serialize(client.Chains),
            [SecretHashProperty] = client.SecretHash.ToArray(),
            [CreatedAtProperty] = client.CreatedAt,
        };

    private static ApiClient ToClient(TableEntity entity)
    {
        var roleName = entity.GetString(RoleProperty);
        if (!RoleNames.TryParse(roleName, out var role))
        {
            throw new InvalidOperationException($"Client {entity.PartitionKey} has the unknown role '{roleName}' in storage.");
        }

        return new ApiClient(
            entity.PartitionKey,
            role,
            JsonSerializer.Deserialize<string[]>(entity.GetString(ChainsProperty) ?? "[]") ?? [],
            entity.GetBinary(SecretHashProperty) ?? [],
            entity.GetDateTimeOffset(CreatedAtProperty) ?? DateTimeOffset.MinValue,
            entity.GetDateTimeOffset(RevokedAtProperty));
    }
}
