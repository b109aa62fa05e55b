using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using PosGreenPoints.Functions.Infrastructure;

namespace PosGreenPoints.Functions.Redemption;

/// <summary>
/// The Redemptions table: PK chain id, RK redemption id → the member whose partition holds the
/// redemption. A commit, cancel or refund names only the chain and the redemption id; this is how it
/// finds the member. A row is written once, before the reservation, and never changes, so an instance
/// may keep what it read (a bounded cache: a commit on the instance that took the reservation reads nothing here).
/// </summary>
public sealed class RedemptionIndex(TableServiceClient tables, StorageProvisioner provisioner)
{
    private const int MaxCached = 100_000;

    private const string MemberIdColumn = "MemberId";

    private readonly ProvisionedTable _table = new(provisioner, tables, StorageNames.Tables.Redemptions);
    private readonly ConcurrentDictionary<(string ChainId, string RedemptionId), string> _members = new();

    /// <summary>Binds the redemption id to <paramref name="memberId"/>, or finds the member it is bound to already.</summary>
    /// <returns>The member the id belongs to: <paramref name="memberId"/>, or another one (a conflict).</returns>
    public async Task<string> BindAsync(string chainId, string redemptionId, string memberId, CancellationToken cancellationToken)
    {
        if (_members.TryGetValue((chainId, redemptionId), out var cached))
        {
            return cached;
        }

        var table = await _table.GetAsync(cancellationToken);
        try
        {
            await table.AddEntityAsync(new TableEntity(chainId, redemptionId) { [MemberIdColumn] = memberId }, cancellationToken);
            return Remember(chainId, redemptionId, memberId);
        }
        catch (RequestFailedException failure) when (failure.Status == 409)
        {
            return (await FindMemberAsync(chainId, redemptionId, cancellationToken))!;
        }
    }

    /// <summary>The member of a chain's redemption id; null when the id was never used.</summary>
    public async Task<string?> FindMemberAsync(string chainId, string redemptionId, CancellationToken cancellationToken)
    {
        if (_members.TryGetValue((chainId, redemptionId), out var cached))
        {
            return cached;
        }

        var table = await _table.GetAsync(cancellationToken);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(chainId, redemptionId, select: [MemberIdColumn], cancellationToken: cancellationToken);
        return found.HasValue ? Remember(chainId, redemptionId, found.Value!.GetString(MemberIdColumn)!) : null;
    }

    private string Remember(string chainId, string redemptionId, string memberId)
    {
        if (_members.Count >= MaxCached)
        {
            // Rows never change, so forgetting costs only a read; a full clear keeps the bound without an LRU's bookkeeping.
            _members.Clear();
        }

        _members[(chainId, redemptionId)] = memberId;
        return memberId;
    }
}
