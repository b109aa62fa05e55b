using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace PosGreenPoints.Functions.Wallet;

/// <summary>An operator adjustment of one member's points, as validated.</summary>
public sealed record Adjustment(string AdjustmentId, string MemberId, string ChainId, long Points, string Reason);

/// <summary>What posting an adjustment came to.</summary>
public abstract record AdjustmentOutcome
{
    private AdjustmentOutcome()
    {
    }

    /// <param name="Balance">The member's balance right after the posting (or now, for a duplicate).</param>
    public sealed record Posted(Adjustment Adjustment, DateTimeOffset PostedAt, long Balance, bool Duplicate) : AdjustmentOutcome;

    /// <summary>The adjustment id was used for this member before with other content.</summary>
    public sealed record Conflict(string AdjustmentId) : AdjustmentOutcome;
}

public sealed partial class MemberStore
{
    /// <summary>
    /// Posts an operator adjustment in one transaction of the member's partition: the adjustment's marker
    /// (<see cref="MemberRows.AdjustmentMarker"/>: a second insert fails, so it posts once), the wallet
    /// under its ETag, and the statement row with its posting-log twin; reservations that ran out are
    /// released first, in their own write. A lost race reads and plans again; a marker found means a
    /// repost: the same content is a duplicate, other content a conflict.
    /// </summary>
    public async Task<AdjustmentOutcome> AdjustAsync(Adjustment adjustment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(adjustment);
        var table = await _table.GetAsync(cancellationToken);
        var memberId = adjustment.MemberId;
        var partitionKey = PartitionKeyOf(memberId);
        var markerKey = MemberRows.AdjustmentMarker(memberId, adjustment.AdjustmentId);
        for (var attempt = 1; ; attempt++)
        {
            var rows = await ReadRowsAsync(table, partitionKey, [MemberRows.Wallet(memberId), MemberRows.LegacyBalance(memberId), markerKey], cancellationToken);
            if (!rows.ContainsKey(MemberRows.Wallet(memberId)) && rows.TryGetValue(MemberRows.LegacyBalance(memberId), out var legacy))
            {
                await MigrateAsync(table, partitionKey, memberId, legacy, cancellationToken);
                continue;
            }

            var wallet = rows.TryGetValue(MemberRows.Wallet(memberId), out var walletRow) ? StoredWallet.Read(walletRow) : StoredWallet.New(memberId);
            var now = clock.GetUtcNow();
            if (!rows.TryGetValue(markerKey, out var marker) && walletRow is not null
                && await ReleaseLapsedHoldsAsync(partitionKey, [walletRow], cancellationToken))
            {
                // A debit takes free points only: points of a reservation that ran out are free again first.
                continue;
            }

            if (marker is not null)
            {
                var same = marker.GetString(MemberRows.Columns.ChainId) == adjustment.ChainId
                    && marker.GetInt64(MemberRows.Columns.Points) == adjustment.Points
                    && marker.GetString(MemberRows.Columns.Reason) == adjustment.Reason;
                return same
                    ? new AdjustmentOutcome.Posted(adjustment, marker.GetDateTimeOffset(MemberRows.Columns.PostedAt) ?? now, WalletDecider.BalanceAt(wallet.State, now).Balance, Duplicate: true)
                    : new AdjustmentOutcome.Conflict(adjustment.AdjustmentId);
            }

            var change = WalletAdjustments.Adjust(wallet.State, adjustment.AdjustmentId, adjustment.ChainId, adjustment.Points, adjustment.Reason, now, rules.Wallet);
            var newMarker = new TableEntity(partitionKey, markerKey)
            {
                [MemberRows.Columns.ChainId] = adjustment.ChainId,
                [MemberRows.Columns.Points] = adjustment.Points,
                [MemberRows.Columns.Reason] = adjustment.Reason,
                [MemberRows.Columns.PostedAt] = now,
            };
            List<TableTransactionAction> actions =
            [
                new(TableTransactionActionType.Add, newMarker),
                wallet.Write(partitionKey, change.State),
                .. StatementRows.Rows(partitionKey, memberId, change.Entries, rules.Wallet.YuanPerPoint).Select(row => new TableTransactionAction(TableTransactionActionType.Add, row)),
            ];
            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken);
                logger.LogInformation("Adjustment of {Points} points posted in bucket {Bucket}", adjustment.Points.ToString(CultureInfo.InvariantCulture), partitionKey);
                return new AdjustmentOutcome.Posted(adjustment, now, WalletDecider.BalanceAt(change.State, now).Balance, Duplicate: false);
            }
            catch (TableTransactionFailedException failure) when (failure.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another posting of this member (or the same adjustment) got in first: read again after a
                // short random pause. Wall-clock time: the pause spaces requests, it is not business time.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * Math.Min(attempt, 10))), cancellationToken);
            }
        }
    }
}
