using Azure;
using Azure.Data.Tables;

namespace PosGreenPoints.Functions.Wallet;

/// <summary>A member's rows a redemption needs, read at one instant (one query in the member's partition).</summary>
/// <param name="Wallet">The wallet; a new, empty one for a member with no posting yet.</param>
/// <param name="RedemptionETag">The redemption row's ETag, for the replace that changes it.</param>
/// <param name="CodeUsed">True when the member code asked about has held points already.</param>
internal sealed record MemberRedemptionRows(StoredWallet Wallet, RedemptionRecord? Redemption, ETag? RedemptionETag, bool CodeUsed);

/// <summary>The Members table's part in redemptions (redemption.md): every write is one transaction with the wallet.</summary>
public sealed partial class MemberStore
{
    /// <summary>The wallet, the redemption <paramref name="chainId"/>/<paramref name="redemptionId"/> and whether <paramref name="codeHash"/> was used, in one query.</summary>
    internal async Task<MemberRedemptionRows> ReadForRedemptionAsync(string memberId, string chainId, string redemptionId, string? codeHash, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var partitionKey = PartitionKeyOf(memberId);
        var redemptionKey = MemberRows.Redemption(memberId, chainId, redemptionId);
        string[] keys = codeHash is null
            ? [MemberRows.Wallet(memberId), MemberRows.LegacyBalance(memberId), redemptionKey]
            : [MemberRows.Wallet(memberId), MemberRows.LegacyBalance(memberId), redemptionKey, MemberRows.CodeUse(memberId, codeHash)];
        var rows = await ReadRowsAsync(table, partitionKey, keys, cancellationToken);
        if (!rows.ContainsKey(MemberRows.Wallet(memberId)) && rows.TryGetValue(MemberRows.LegacyBalance(memberId), out var legacy))
        {
            await MigrateAsync(table, partitionKey, memberId, legacy, cancellationToken);
            rows = await ReadRowsAsync(table, partitionKey, keys, cancellationToken);
        }

        var wallet = rows.TryGetValue(MemberRows.Wallet(memberId), out var walletRow) ? StoredWallet.Read(walletRow) : StoredWallet.New(memberId);
        var redemption = rows.TryGetValue(redemptionKey, out var redemptionRow) ? redemptionRow : null;
        return new MemberRedemptionRows(
            wallet,
            redemption is null ? null : RedemptionRecord.Read(redemption),
            redemption?.ETag,
            codeHash is not null && rows.ContainsKey(MemberRows.CodeUse(memberId, codeHash)));
    }

    /// <summary>
    /// Writes a wallet change with the redemption it belongs to in one transaction: the wallet under its
    /// ETag, the change's statement rows, the redemptions whose hold lapsed, the redemption itself (a new
    /// one inserted, else replaced under its ETag) and, for a reservation by code, the code's use.
    /// </summary>
    /// <returns>False when the transaction met a newer wallet or redemption, or a used code: read and decide again.</returns>
    internal async Task<bool> TryWriteRedemptionAsync(MemberRedemptionRows read, WalletChange change, RedemptionRecord redemption, string? usedCodeHash, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var memberId = read.Wallet.MemberId;
        var partitionKey = PartitionKeyOf(memberId);
        var actions = ChangeActions(partitionKey, read.Wallet, change);
        // A hold lapsing in this change is this redemption's only if it was open; then the record says so itself.
        actions.RemoveAll(action => action.ActionType == TableTransactionActionType.UpdateMerge
            && action.Entity.RowKey == MemberRows.Redemption(memberId, redemption.Terms.ChainId, redemption.Terms.RedemptionId));
        actions.Add(redemption.Write(partitionKey, read.Redemption is null ? null : read.RedemptionETag));
        if (usedCodeHash is not null)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(partitionKey, MemberRows.CodeUse(memberId, usedCodeHash))
            {
                [MemberRows.Columns.ChainId] = redemption.Terms.ChainId,
                [MemberRows.Columns.Reference] = redemption.Terms.RedemptionId,
            }));
        }

        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException failure) when (failure.Status is 409 or 412)
        {
            return false;
        }
    }
}
