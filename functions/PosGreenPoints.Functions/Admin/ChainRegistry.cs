using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Functions.Infrastructure;

namespace PosGreenPoints.Functions.Admin;

/// <summary>A registered retail chain and the time zone that decides its receipts' business dates.</summary>
public sealed record Chain(string ChainId, string Name, TimeZoneInfo TimeZone);

/// <summary>What registering or updating a chain came to.</summary>
public abstract record ChainUpsert
{
    private ChainUpsert()
    {
    }

    public sealed record Created(Chain Chain) : ChainUpsert;

    public sealed record Updated(Chain Chain) : ChainUpsert;

    /// <param name="Errors">Messages by JSON path; <c>chainId</c> is the id in the URL.</param>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : ChainUpsert;
}

/// <summary>
/// The registered chains, one entity each in the Chains table (PartitionKey = chain id, so no two chains
/// share a partition).
/// </summary>
/// <remarks>
/// Every receipt post needs its chain's time zone, so a chain read is cached in this instance for
/// <see cref="CacheLifetime"/>. A change of name or time zone therefore reaches every other instance
/// within 30 s; the instance that wrote it sees it at once. Only chains that exist are cached: a chain
/// registered a moment ago is found everywhere at once.
/// </remarks>
public sealed partial class ChainRegistry(TableServiceClient tables, StorageProvisioner provisioner, TimeProvider timeProvider)
{
    public const string DefaultTimeZoneId = "Asia/Shanghai";
    public const int MaxNameLength = 200;
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    private const string RowKey = "chain";
    private const string NameProperty = "Name";
    private const string TimeZoneProperty = "TimeZone";
    private const string CreatedAtProperty = "CreatedAt";
    private const string UpdatedAtProperty = "UpdatedAt";

    /// <summary>The longest IANA id is about 30 characters; this bounds what is handed to the time zone lookup.</summary>
    private const int MaxTimeZoneIdLength = 64;

    private readonly ProvisionedTable _table = new(provisioner, tables, StorageNames.Tables.Chains);
    private readonly ConcurrentDictionary<string, CachedChain> _cache = new(StringComparer.Ordinal);

    /// <summary>1–64 characters of <c>[A-Za-z0-9._-]</c>, compared case-sensitively.</summary>
    public static bool IsValidChainId([NotNullWhen(true)] string? chainId) => chainId is not null && ChainIdPattern().IsMatch(chainId);

    /// <summary>
    /// An IANA time zone id that this machine knows. Windows ids (<c>China Standard Time</c>) are refused
    /// although .NET would convert them: the API promises IANA ids, and the id is stored as given.
    /// </summary>
    public static bool TryResolveTimeZone(string? timeZoneId, [NotNullWhen(true)] out TimeZoneInfo? timeZone)
    {
        timeZone = null;
        return timeZoneId is { Length: > 0 and <= MaxTimeZoneIdLength }
            && TimeZoneInfo.TryFindSystemTimeZoneById(timeZoneId, out timeZone)
            && timeZone.HasIanaId;
    }

    public async Task<ChainUpsert> UpsertAsync(string chainId, ChainRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);

        var errors = new Dictionary<string, string[]>();
        if (!IsValidChainId(chainId))
        {
            errors["chainId"] = ["must be 1–64 characters of A–Z, a–z, 0–9, '.', '_' and '-'."];
        }

        // The wire may omit a field the contract type declares non-null: System.Text.Json leaves it null.
        var name = registration.Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            errors["name"] = ["is required."];
        }
        else if (name.Length > MaxNameLength)
        {
            errors["name"] = [$"must be at most {MaxNameLength} characters."];
        }
        else if (name.Any(char.IsControl))
        {
            errors["name"] = ["must not contain control characters."];
        }

        var timeZoneId = registration.TimeZone ?? DefaultTimeZoneId;
        if (!TryResolveTimeZone(timeZoneId, out var timeZone))
        {
            errors["timeZone"] = ["must be an IANA time zone id such as Asia/Shanghai."];
        }

        if (errors.Count > 0)
        {
            return new ChainUpsert.Invalid(errors);
        }

        var table = await _table.GetAsync(cancellationToken);
        var now = timeProvider.GetUtcNow();
        var entity = new TableEntity(chainId, RowKey)
        {
            [NameProperty] = name,
            [TimeZoneProperty] = timeZone!.Id,
            [UpdatedAtProperty] = now,
        };
        var chain = new Chain(chainId, name, timeZone);

        bool created;
        try
        {
            await table.AddEntityAsync(new TableEntity(entity) { [CreatedAtProperty] = now }, cancellationToken);
            created = true;
        }
        catch (RequestFailedException failure) when (failure.Status == 409)
        {
            // Merge keeps the chain's CreatedAt; the last writer's name and zone win.
            await table.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Merge, cancellationToken);
            created = false;
        }

        Remember(chain);
        return created ? new ChainUpsert.Created(chain) : new ChainUpsert.Updated(chain);
    }

    /// <returns>The chain, or <c>null</c> when it is not registered.</returns>
    public async Task<Chain?> GetAsync(string chainId, CancellationToken cancellationToken)
    {
        if (!IsValidChainId(chainId))
        {
            return null;
        }

        if (_cache.TryGetValue(chainId, out var cached) && cached.ExpiresAt > timeProvider.GetUtcNow())
        {
            return cached.Chain;
        }

        var table = await _table.GetAsync(cancellationToken);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(chainId, RowKey, cancellationToken: cancellationToken);
        if (!response.HasValue)
        {
            _cache.TryRemove(chainId, out _);
            return null;
        }

        var chain = ToChain(response.Value!);
        Remember(chain);
        return chain;
    }

    /// <summary>Every registered chain, read from storage (not the cache), in chain id order.</summary>
    public async Task<IReadOnlyList<Chain>> ListAsync(CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var chains = new List<Chain>();
        await foreach (var entity in table.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            chains.Add(ToChain(entity));
        }

        return chains;
    }

    private void Remember(Chain chain) =>
        _cache[chain.ChainId] = new CachedChain(chain, timeProvider.GetUtcNow() + CacheLifetime);

    private static Chain ToChain(TableEntity entity) =>
        new(
            entity.PartitionKey,
            entity.GetString(NameProperty),
            // Validated when written; a zone this machine no longer knows is a deployment fault, not a client's.
            TimeZoneInfo.FindSystemTimeZoneById(entity.GetString(TimeZoneProperty)));

    private sealed record CachedChain(Chain Chain, DateTimeOffset ExpiresAt);

    // \z rather than $, which would also match before a trailing newline.
    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ChainIdPattern();
}
