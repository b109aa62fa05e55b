using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Data.Tables;
using PosGreenPoints.Contracts;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Functions.Infrastructure;

namespace PosGreenPoints.Functions.Admin;

/// <summary>A registered chain, its kind, and the time zone that decides its receipts' and activities' business dates.</summary>
/// <param name="Kind">One of <see cref="ChainKinds"/>: a retail chain posts receipts and activities, a service chain activities only.</param>
/// <param name="TimeZoneLocked">The chain has posted, so its zone can no longer change (a receipt's id holds its business date).</param>
/// <param name="RegisteredAt">When the chain was first registered; null only for a chain written before this was kept.</param>
public sealed record Chain(string ChainId, string Name, TimeZoneInfo TimeZone, bool TimeZoneLocked = false, DateTimeOffset? RegisteredAt = null, string Kind = ChainKinds.Retail)
{
    public bool IsService => Kind == ChainKinds.Service;

    /// <summary>The day of registration in the chain's zone: no day before it has anything to settle.</summary>
    public DateOnly? RegisteredOn => RegisteredAt is { } at ? ChainCalendar.DateOf(at, TimeZone) : null;
}

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

    /// <summary>The chain has posted in <paramref name="Chain"/>'s zone, and the update asked for another.</summary>
    public sealed record TimeZoneLocked(Chain Chain) : ChainUpsert;
}

/// <summary>
/// The registered chains, one entity each in the Chains table (PartitionKey = chain id, so no two chains
/// share a partition).
/// </summary>
/// <remarks>
/// Every receipt post needs its chain's time zone, so a chain read is cached in this instance for
/// <see cref="CacheLifetime"/>. A change of name therefore reaches every other instance within 30 s;
/// the instance that wrote it sees it at once. The zone can change only until the chain first posts
/// (<see cref="LockTimeZoneAsync"/> reads storage for a chain not known to be locked). Only chains that exist are cached: a chain
/// registered a moment ago is found everywhere at once.
/// </remarks>
public sealed class ChainRegistry(TableServiceClient tables, StorageProvisioner provisioner, TimeProvider timeProvider)
{
    public const string DefaultTimeZoneId = "Asia/Shanghai";
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    private const string RowKey = "chain";
    private const string NameProperty = "Name";
    private const string TimeZoneProperty = "TimeZone";
    private const string CreatedAtProperty = "CreatedAt";
    private const string UpdatedAtProperty = "UpdatedAt";
    private const string TimeZoneLockedAtProperty = "TimeZoneLockedAt";
    private const string KindProperty = "Kind";

    /// <summary>The canonical IANA ids: what the system lists (zone1970.tab on Linux, plus UTC), not links, aliases or the posix/right trees.</summary>
    private static readonly Lazy<HashSet<string>> CanonicalTimeZoneIds = new(() =>
        TimeZoneInfo.GetSystemTimeZones().Select(zone => zone.Id).ToHashSet(StringComparer.Ordinal));

    /// <summary>The longest IANA id is about 30 characters; this bounds what is handed to the time zone lookup.</summary>
    private const int MaxTimeZoneIdLength = 64;

    private readonly ProvisionedTable _table = new(provisioner, tables, StorageNames.Tables.Chains);
    private readonly ConcurrentDictionary<string, CachedChain> _cache = new(StringComparer.Ordinal);

    /// <summary>An id (<see cref="Ids.IsId"/>), compared case-sensitively.</summary>
    public static bool IsValidChainId([NotNullWhen(true)] string? chainId) => Ids.IsId(chainId);

    /// <summary>
    /// A canonical IANA time zone id that this machine knows. Windows ids (<c>China Standard Time</c>),
    /// links (<c>Asia/Calcutta</c>, <c>PRC</c>) and tz database oddities (<c>Factory</c>,
    /// <c>posixrules</c>, <c>right/UTC</c>, <c>EST</c>) are refused although .NET would load them: the API
    /// promises canonical IANA ids, and the id is stored as given.
    /// </summary>
    public static bool TryResolveTimeZone(string? timeZoneId, [NotNullWhen(true)] out TimeZoneInfo? timeZone)
    {
        timeZone = null;
        return timeZoneId is { Length: > 0 and <= MaxTimeZoneIdLength }
            && CanonicalTimeZoneIds.Value.Contains(timeZoneId)
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
        else if (name.Length > Limits.MaxChainNameLength)
        {
            errors["name"] = [$"must be at most {Limits.MaxChainNameLength} characters."];
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

        // Absent is retail, as an absent zone is Asia/Shanghai: a PUT states the whole chain.
        var kind = registration.Kind ?? ChainKinds.Retail;
        if (kind is not (ChainKinds.Retail or ChainKinds.Service))
        {
            errors["kind"] = [$"must be '{ChainKinds.Retail}' or '{ChainKinds.Service}'."];
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
            [KindProperty] = kind,
            [UpdatedAtProperty] = now,
        };

        try
        {
            await table.AddEntityAsync(new TableEntity(entity) { [CreatedAtProperty] = now }, cancellationToken);
            var created = new Chain(chainId, name, timeZone, RegisteredAt: now, Kind: kind);
            Remember(created);
            return new ChainUpsert.Created(created);
        }
        catch (RequestFailedException failure) when (failure.Status == 409)
        {
            // Registered already: updated under its ETag, so that a first post locking the zone meanwhile is seen.
        }

        while (true)
        {
            var stored = (await table.GetEntityAsync<TableEntity>(chainId, RowKey, cancellationToken: cancellationToken)).Value;
            var current = ToChain(stored);
            if (current.TimeZoneLocked && current.TimeZone.Id != timeZone.Id)
            {
                Remember(current);
                return new ChainUpsert.TimeZoneLocked(current);
            }

            try
            {
                // Merge keeps the chain's CreatedAt and its lock.
                await table.UpdateEntityAsync(entity, stored.ETag, TableUpdateMode.Merge, cancellationToken);
                var updated = current with { Name = name, TimeZone = timeZone, Kind = kind };
                Remember(updated);
                return new ChainUpsert.Updated(updated);
            }
            catch (RequestFailedException failure) when (failure.Status == 412)
            {
                // Changed meanwhile (another update, or the first post locked the zone): look again.
            }
        }
    }

    /// <summary>
    /// Locks the chain's time zone before its first receipt is stored, and tells whether the zone the
    /// receipt was judged in is the locked one. A receipt's id holds its business date in the chain's
    /// zone, so a zone that changed after a post would give a re-post of it another id and points twice.
    /// </summary>
    /// <returns>False when the chain's zone is no longer <paramref name="judgedIn"/>: the receipt must be judged again.</returns>
    public async Task<bool> LockTimeZoneAsync(string chainId, TimeZoneInfo judgedIn, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(chainId, out var cached) && cached.Chain.TimeZoneLocked)
        {
            // Once locked it never changes, so the cached zone is the truth whatever its age.
            return cached.Chain.TimeZone.Id == judgedIn.Id;
        }

        var table = await _table.GetAsync(cancellationToken);
        while (true)
        {
            var stored = (await table.GetEntityAsync<TableEntity>(chainId, RowKey, cancellationToken: cancellationToken)).Value;
            var current = ToChain(stored);
            if (current.TimeZoneLocked || current.TimeZone.Id != judgedIn.Id)
            {
                Remember(current);
                return current.TimeZone.Id == judgedIn.Id;
            }

            try
            {
                var update = new TableEntity(chainId, RowKey) { [TimeZoneLockedAtProperty] = timeProvider.GetUtcNow() };
                await table.UpdateEntityAsync(update, stored.ETag, TableUpdateMode.Merge, cancellationToken);
                Remember(current with { TimeZoneLocked = true });
                return true;
            }
            catch (RequestFailedException failure) when (failure.Status == 412)
            {
                // An operator's update (or another post's lock) came first: look again.
            }
        }
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
            TimeZoneInfo.FindSystemTimeZoneById(entity.GetString(TimeZoneProperty)),
            entity.ContainsKey(TimeZoneLockedAtProperty),
            entity.GetDateTimeOffset(CreatedAtProperty),
            // Chains registered before kinds existed were all retailers.
            entity.GetString(KindProperty) ?? ChainKinds.Retail);

    private sealed record CachedChain(Chain Chain, DateTimeOffset ExpiresAt);
}
