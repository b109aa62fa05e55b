using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Infrastructure.Events;
using PosGreenPoints.Functions.Infrastructure.Telemetry;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Wallet;

/// <summary>
/// One receipt (or activity) to post to a member. <see cref="Plan"/> gets what the member earned on the
/// business date before this posting and returns the final points per line (the member daily cap);
/// <see cref="Decision"/> is the scoring decision the points come from, kept with the posting.
/// </summary>
/// <param name="ReceiptId">The posting's id, unique among a member's postings: a receipt id, or an activity id.</param>
/// <param name="ChainId">The receipt's chain: the issuer of an award's lot, the chain of a reversal.</param>
/// <param name="OriginalReceiptId">A return's sale, whose lot a reversal takes from first.</param>
public sealed record MemberPosting(
    string MemberId,
    string ReceiptId,
    string ChainId,
    string? OriginalReceiptId,
    DateOnly BusinessDate,
    ScoringDecision Decision,
    Func<DayEarnings, IReadOnlyDictionary<int, long>> Plan)
{
    /// <summary>An activity's type: the member's total of that type on the business date is read, handed to <see cref="Plan"/> and added to, in the same transaction (the type's member cap).</summary>
    public string? ActivityType { get; init; }

    /// <summary>The pending period of an award's lot; the wallet rules' when null.</summary>
    public TimeSpan? PendingPeriod { get; init; }

    /// <summary>The store and terminal the statement entries name; read from the receipt id when null.</summary>
    public string? StoreId { get; init; }

    public string? TerminalId { get; init; }

    /// <summary>Notes on how the points were planned (which cap cut them), from the same day totals as <see cref="Plan"/>; kept on the marker, so a redelivery gets them back.</summary>
    public Func<DayEarnings, IReadOnlyList<string>>? Notes { get; init; }
}

/// <summary>What a member earned on a business date before a posting: in all, and of the posting's activity type (0 for a receipt).</summary>
public sealed record DayEarnings(long Earned, long EarnedOfType);

/// <summary>What a receipt posted to its member: by this call, or by an earlier one whose decision and points stand.</summary>
public sealed record PostedToMember(ScoringDecision Decision, IReadOnlyDictionary<int, long> LinePoints)
{
    /// <summary>The posting's <see cref="MemberPosting.Notes"/>, as planned when it was posted.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>Finds the sale a stored return names (for wallets rebuilt from postings made before lots existed).</summary>
public interface IReturnOriginals
{
    Task<string?> FindOriginalReceiptIdAsync(string returnReceiptId, CancellationToken cancellationToken);
}

/// <summary>
/// The Members table (<see cref="MemberRows"/>): wallets, day totals, posting markers and statement
/// entries. Posting a receipt is one entity-group transaction in the member's partition: insert the
/// marker and the statement entry, write the wallet under its ETag, add to the day total. It is atomic,
/// counted exactly once (a marker cannot be inserted twice), and the daily cap and the wallet hold
/// however many instances post to one member at once (a lost ETag race is planned again on the new state).
/// <para>
/// The marker holds the receipt's scoring decision: the transaction that posts the points is the one
/// that fixes what they were for, so scoring writes no separate decision for a member's receipt.
/// </para>
/// <para>
/// Members share <see cref="MemberBuckets"/> partitions (by a hash of the member id; 16 unless the
/// deployment chose) rather than having one each, so that a batch of 100 receipts for 100 members is a
/// few reads and transactions per bucket, not 200 operations. ETags are per entity, so members of one
/// bucket never contend with each other; the price is that one partition carries a bucket's share of all
/// members' postings (Azure's per-partition target is about 2,000 entities/s, some 500 receipts/s per
/// bucket with the wallet; docs/scale.md). The count is part of the stored layout: it is recorded on
/// first use and a different one refused (<see cref="MemberLayout"/>); changing it needs a migration.
/// </para>
/// </summary>
public sealed partial class MemberStore(TableServiceClient tables, StorageProvisioner provisioner, MemberBuckets buckets, PointsRules rules, IReturnOriginals originals, EventPublisher events, TimeProvider clock, ILogger<MemberStore> logger)
{
    private const int MaxAttempts = 50;

    /// <summary>Azure Table queries allow 15 comparisons in a filter; one is the partition key.</summary>
    private const int MaxRowsPerQuery = 14;

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    private readonly MemberLayout _table = new(new ProvisionedTable(provisioner, tables, StorageNames.Tables.Members), buckets, clock);

    public string PartitionKeyOf(string memberId) => buckets.PartitionKeyOf(memberId);

    /// <summary>Every bucket's partition key.</summary>
    public IReadOnlyList<string> Buckets => buckets.All;

    /// <summary>Fails when the Members table was laid out in another bucket count than this deployment's (a host start checks it).</summary>
    public async Task CheckLayoutAsync(CancellationToken cancellationToken) => await _table.GetAsync(cancellationToken);

    /// <summary>Posts each receipt to its member once; receipts posted before get back what was posted then, and change nothing.</summary>
    public async Task<IReadOnlyDictionary<string, PostedToMember>> PostAsync(IReadOnlyList<MemberPosting> postings, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var posted = new ConcurrentDictionary<string, PostedToMember>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(
            postings.DistinctBy(posting => posting.ReceiptId).GroupBy(posting => PartitionKeyOf(posting.MemberId)),
            cancellationToken,
            async (bucket, token) => await PostToBucketAsync(table, bucket.Key, bucket.ToList(), posted, token));
        return posted;
    }

    /// <summary>A member's wallet, one point read; null for a member with no posting. A balance from before wallets is migrated first.</summary>
    internal async Task<StoredWallet?> FindWalletAsync(string memberId, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var partitionKey = PartitionKeyOf(memberId);
        for (var attempt = 1; ; attempt++)
        {
            var rows = await ReadRowsAsync(table, partitionKey, [MemberRows.Wallet(memberId), MemberRows.LegacyBalance(memberId)], cancellationToken);
            if (rows.TryGetValue(MemberRows.Wallet(memberId), out var wallet))
            {
                return StoredWallet.Read(wallet);
            }

            if (!rows.TryGetValue(MemberRows.LegacyBalance(memberId), out var legacy) || attempt > 2)
            {
                return null;
            }

            await MigrateAsync(table, partitionKey, memberId, legacy, cancellationToken);
        }
    }

    /// <summary>
    /// A page of a member's statement rows in key order (newest first), from <paramref name="fromKey"/>
    /// (inclusive) to <paramref name="toKey"/> (exclusive).
    /// </summary>
    /// <returns>The rows, and whether rows beyond them remain in the range.</returns>
    internal async Task<(IReadOnlyList<TableEntity> Rows, bool More)> ReadStatementRowsAsync(string memberId, string fromKey, string toKey, int maxRows, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKeyOf(memberId)} and RowKey ge {fromKey} and RowKey lt {toKey}");
        var rows = new List<TableEntity>();
        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: maxRows + 1, cancellationToken: cancellationToken).AsPages())
        {
            rows.AddRange(page.Values);
            if (rows.Count > maxRows || page.ContinuationToken is null)
            {
                break;
            }
        }

        return rows.Count > maxRows ? (rows[..maxRows], true) : (rows, false);
    }

    /// <summary>
    /// The posting log of one bucket from <paramref name="from"/> (inclusive) to <paramref name="to"/>
    /// (exclusive), oldest first: every posting of its members in that span, each once, with its entries.
    /// </summary>
    internal async IAsyncEnumerable<(string MemberId, IReadOnlyList<StatementEntry> Entries)> ReadPostingLogAsync(string partitionKey, DateTimeOffset from, DateTimeOffset to, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partitionKey} and RowKey ge {MemberRows.PostingLogKey(from)} and RowKey lt {MemberRows.PostingLogKey(to)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            yield return (row.GetString(MemberRows.Columns.MemberId)!, StatementRows.Entries(row));
        }
    }

    /// <summary>The wallets of one bucket with free points past their expiry, or a hold past its end, at <paramref name="now"/>, a page at a time.</summary>
    internal async IAsyncEnumerable<StoredWallet> WalletsDueAsync(string partitionKey, DateTimeOffset now, WalletDue due, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var range = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {MemberRows.WalletPrefix} and RowKey lt {MemberRows.WalletRangeEnd}");
        var filter = range + " and " + (due == WalletDue.Expiry
            ? TableClient.CreateQueryFilter($"NextExpiryAt le {now}")
            : TableClient.CreateQueryFilter($"NextLapseAt le {now}"));
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            yield return StoredWallet.Read(row);
        }
    }

    /// <summary>
    /// Writes wallet changes of one bucket (each with its statement rows) in as few transactions as fit;
    /// a wallet changed since it was read fails its transaction. A failed transaction may still have been
    /// written: the storage client sends it again when its answer was lost, and the repeat fails on the
    /// ETags the first one changed. So every wallet carries this call's id (<see cref="StoredWallet.Write"/>),
    /// and after a failure a wallet read back with that id counts as written.
    /// </summary>
    /// <returns>The members whose change was not written, each with its wallet as read after the failure (null: none): decide again.</returns>
    internal async Task<IReadOnlyDictionary<string, StoredWallet?>> WriteChangesAsync(string partitionKey, IReadOnlyList<(StoredWallet Wallet, WalletChange Change)> changes, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var writeId = Guid.NewGuid().ToString("N");
        var notWritten = new Dictionary<string, StoredWallet?>(StringComparer.Ordinal);
        var units = changes.Select(change => (change.Wallet.MemberId, Actions: ChangeActions(partitionKey, change.Wallet, change.Change, writeId), Size: StoredWallet.Size(change.Change.State))).ToList();
        foreach (var chunk in Transactions(units))
        {
            try
            {
                await table.SubmitTransactionAsync(chunk.SelectMany(unit => unit.Actions).ToList(), cancellationToken);
            }
            catch (TableTransactionFailedException failure) when (failure.Status is 409 or 412)
            {
                foreach (var unit in chunk)
                {
                    var fresh = await ReadWalletAsync(unit.MemberId, cancellationToken);
                    if (fresh?.WriteId != writeId)
                    {
                        notWritten[unit.MemberId] = fresh;
                    }
                }
            }
        }

        return notWritten;
    }

    internal async Task<StoredWallet?> ReadWalletAsync(string memberId, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKeyOf(memberId), MemberRows.Wallet(memberId), cancellationToken: cancellationToken);
        return found.HasValue ? StoredWallet.Read(found.Value!) : null;
    }

    /// <summary>Migrates every balance written before wallets existed (idempotent); the number migrated.</summary>
    public async Task<int> MigrateAllAsync(CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var migrated = 0;
        foreach (var partitionKey in Buckets)
        {
            // Only a legacy balance row has a Reversed column among a member's own rows.
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey gt {MemberRows.WalletRangeEnd} and Reversed ge {0L}");
            await foreach (var legacy in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                if (legacy.RowKey.EndsWith("!balance", StringComparison.Ordinal))
                {
                    await MigrateAsync(table, partitionKey, legacy.RowKey[..^"!balance".Length], legacy, cancellationToken);
                    migrated++;
                }
            }
        }

        return migrated;
    }

    /// <summary>
    /// Rewrites the decision kept with a posted receipt (its posting day moved) under the marker's ETag:
    /// <paramref name="move"/> gets the stored decision and returns the new one, or null to keep it.
    /// </summary>
    /// <returns>The decision that stands.</returns>
    public async Task<ScoringDecision> MoveDecisionAsync(string memberId, string receiptId, Func<ScoringDecision, ScoringDecision?> move, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        while (true)
        {
            var marker = (await table.GetEntityAsync<TableEntity>(PartitionKeyOf(memberId), MemberRows.Marker(memberId, receiptId), cancellationToken: cancellationToken)).Value;
            var stored = JsonSerializer.Deserialize<ScoringDecision>(LongText.Get(marker, MemberRows.Columns.Decision)!, Json)!;
            if (move(stored) is not { } moved)
            {
                return stored;
            }

            var update = new TableEntity(marker.PartitionKey, marker.RowKey);
            LongText.Set(update, MemberRows.Columns.Decision, JsonSerializer.Serialize(moved, Json));
            try
            {
                await table.UpdateEntityAsync(update, marker.ETag, TableUpdateMode.Merge, cancellationToken);
                return moved;
            }
            catch (RequestFailedException failure) when (failure.Status == 412)
            {
                // Another scorer moved it first: look again.
            }
        }
    }

    /// <summary>A wallet change's writes: the wallet under its ETag, its statement rows, and the redemptions whose hold it let lapse.</summary>
    private List<TableTransactionAction> ChangeActions(string partitionKey, StoredWallet wallet, WalletChange change, string? writeId = null) =>
    [
        wallet.Write(partitionKey, change.State, writeId),
        .. StatementRows.Rows(partitionKey, wallet.MemberId, change.Entries, rules.Wallet.YuanPerPoint).Select(row => new TableTransactionAction(TableTransactionActionType.Add, row)),
        .. change.Lapsed.Select(hold => RedemptionRecord.Lapse(partitionKey, wallet.MemberId, hold)),
    ];

    private static IEnumerable<List<(string MemberId, List<TableTransactionAction> Actions, int Size)>> Transactions(List<(string MemberId, List<TableTransactionAction> Actions, int Size)> units)
    {
        var chunk = new List<(string MemberId, List<TableTransactionAction> Actions, int Size)>();
        int actions = 0, chars = 0;
        foreach (var unit in units)
        {
            if (chunk.Count > 0 && (actions + unit.Actions.Count > TableTransactions.MaxActions || chars + unit.Size > TableTransactions.MaxChars))
            {
                yield return chunk;
                chunk = [];
                actions = chars = 0;
            }

            chunk.Add(unit);
            actions += unit.Actions.Count;
            chars += unit.Size;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    /// <summary>
    /// Releases, in their own write, the reservations of these wallets that ran out: a reversal or a debit
    /// must not find points held by a reservation past its hold (wallet.md: they never take reserved points,
    /// and lapsed points are not reserved). Held points of a lot that expired meanwhile expire at the
    /// release: their points.expired goes out before the write, as the expiry run's does, with an id fixed
    /// by member and instant, so a crash between the two sends it again rather than never.
    /// </summary>
    /// <returns>True when something was released (or a race lost): the caller reads again.</returns>
    private async Task<bool> ReleaseLapsedHoldsAsync(string partitionKey, IEnumerable<TableEntity> walletRows, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var lapsed = walletRows
            .Where(walletRow => walletRow.GetDateTimeOffset(MemberRows.Columns.NextLapseAt) <= now)
            .Select(StoredWallet.Read)
            .Select(wallet => (Wallet: wallet, Change: WalletDecider.ReleaseLapsed(wallet.State, now)))
            .Where(item => item.Change.Lapsed.Count > 0)
            .ToList();
        if (lapsed.Count == 0)
        {
            return false;
        }

        await events.PublishAsync(lapsed.SelectMany(item => WalletExpiry.ExpiredEvents(item.Wallet.MemberId, item.Change, now)).ToList(), cancellationToken);
        var notWritten = await WriteChangesAsync(partitionKey, lapsed, cancellationToken);
        foreach (var expiry in lapsed.Where(item => !notWritten.ContainsKey(item.Wallet.MemberId)).SelectMany(item => item.Change.Entries).Where(entry => entry.Kind == EntryKinds.Expiry))
        {
            PosGreenPointsTelemetry.PointsExpired(expiry.ChainId, -expiry.Points);
        }

        return true;
    }

    private async Task PostToBucketAsync(TableClient table, string partitionKey, List<MemberPosting> postings, ConcurrentDictionary<string, PostedToMember> posted, CancellationToken cancellationToken)
    {
        // Member by member and receipt by receipt in a fixed order, so a retry plans the same way.
        var pending = postings.OrderBy(posting => posting.MemberId, StringComparer.Ordinal).ThenBy(posting => posting.ReceiptId, StringComparer.Ordinal).ToList();
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var round = NextRound(pending);
            var rows = await ReadRowsAsync(table, partitionKey,
                round.SelectMany(DayRowsRead), cancellationToken);
            var legacy = round.Select(posting => posting.MemberId).Distinct(StringComparer.Ordinal)
                .Where(memberId => !rows.ContainsKey(MemberRows.Wallet(memberId)) && rows.ContainsKey(MemberRows.LegacyBalance(memberId)))
                .ToList();
            if (legacy.Count > 0)
            {
                foreach (var memberId in legacy)
                {
                    await MigrateAsync(table, partitionKey, memberId, rows[MemberRows.LegacyBalance(memberId)], cancellationToken);
                }

                continue;
            }

            var wallets = round.Select(posting => posting.MemberId).Distinct(StringComparer.Ordinal)
                .Where(memberId => rows.ContainsKey(MemberRows.Wallet(memberId)))
                .Select(memberId => rows[MemberRows.Wallet(memberId)]);
            if (await ReleaseLapsedHoldsAsync(partitionKey, wallets, cancellationToken))
            {
                continue;
            }

            var (actions, planned) = Plan(partitionKey, round, rows);
            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken);
                foreach (var (receiptId, result) in planned)
                {
                    posted[receiptId] = result;
                }

                pending.RemoveAll(posting => planned.ContainsKey(posting.ReceiptId));
            }
            catch (TableTransactionFailedException failure) when (failure.Status is 409 or 412 && attempt < MaxAttempts)
            {
                if (failure.Status == 409)
                {
                    // A marker exists: that receipt was posted before (a redelivery, or another instance).
                    var earlier = await ReadMarkersAsync(table, partitionKey, round, cancellationToken);
                    foreach (var (receiptId, result) in earlier)
                    {
                        posted[receiptId] = result;
                    }

                    pending.RemoveAll(posting => earlier.ContainsKey(posting.ReceiptId));
                    if (earlier.Count > 0)
                    {
                        continue;
                    }
                }

                // Another posting of a member here got in first (a 412, or a 409 on a row it created):
                // read again after a short random pause, so that racing scorers spread out. Wall-clock
                // time, not the app's clock: the pause spaces requests, it is not business time.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * Math.Min(attempt, 10))), cancellationToken);
            }
        }
    }

    private static IEnumerable<string> DayRowsRead(MemberPosting posting)
    {
        yield return MemberRows.Wallet(posting.MemberId);
        yield return MemberRows.LegacyBalance(posting.MemberId);
        yield return MemberRows.Day(posting.MemberId, posting.BusinessDate);
        if (posting.ActivityType is { } type)
        {
            yield return MemberRows.TypeDay(posting.MemberId, posting.BusinessDate, type);
        }
    }

    /// <summary>
    /// The postings one transaction takes: whole members while they fit (a member's wallet may be
    /// touched by one transaction at a time), or the first receipts of a member with more than fit.
    /// A receipt takes a marker, a statement row and its posting-log twin; a member its wallet and a row per business date.
    /// </summary>
    private static List<MemberPosting> NextRound(List<MemberPosting> pending)
    {
        var round = new List<MemberPosting>();
        var actions = 0;
        var chars = 0;
        foreach (var member in pending.GroupBy(posting => posting.MemberId, StringComparer.Ordinal))
        {
            var receipts = member.ToList();
            var dates = receipts.SelectMany(DayRowKeys).Distinct(StringComparer.Ordinal).Count();
            var memberActions = (ActionsPerReceipt * receipts.Count) + 1 + dates;
            var memberChars = receipts.Sum(posting => DecisionChars(posting.Decision)) + WalletChars;
            if (round.Count > 0 && (actions + memberActions > TableTransactions.MaxActions || chars + memberChars > TableTransactions.MaxChars))
            {
                break;
            }

            if (round.Count == 0 && memberActions > TableTransactions.MaxActions)
            {
                return FirstThatFit(receipts);
            }

            round.AddRange(receipts);
            actions += memberActions;
            chars += memberChars;
        }

        return round;
    }

    /// <summary>The day totals a posting adds to: the member's, and for an activity its type's.</summary>
    private static IEnumerable<string> DayRowKeys(MemberPosting posting) =>
        posting.ActivityType is { } type
            ? [MemberRows.Day(posting.MemberId, posting.BusinessDate), MemberRows.TypeDay(posting.MemberId, posting.BusinessDate, type)]
            : [MemberRows.Day(posting.MemberId, posting.BusinessDate)];

    /// <summary>A receipt's marker, statement row and posting-log row.</summary>
    private const int ActionsPerReceipt = 3;

    /// <summary>About the characters a decision takes in its marker: a line's JSON is under 400 characters.</summary>
    private static int DecisionChars(ScoringDecision decision) => 300 + (decision.Lines.Count * 400);

    /// <summary>What a wallet row is allowed to take of a transaction's characters (an entity holds 1 MiB).</summary>
    private const int WalletChars = 100_000;

    /// <summary>The first receipts of one member that fit a transaction with the wallet and their day totals.</summary>
    private static List<MemberPosting> FirstThatFit(List<MemberPosting> receipts)
    {
        var fitting = new List<MemberPosting>();
        var dates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var posting in receipts)
        {
            var datesAfter = dates.Count + DayRowKeys(posting).Count(key => !dates.Contains(key));
            if ((ActionsPerReceipt * (fitting.Count + 1)) + 1 + datesAfter > TableTransactions.MaxActions)
            {
                break;
            }

            fitting.Add(posting);
            dates.UnionWith(DayRowKeys(posting));
        }

        return fitting;
    }

    private (List<TableTransactionAction> Actions, Dictionary<string, PostedToMember> Planned) Plan(string partitionKey, List<MemberPosting> round, Dictionary<string, TableEntity> rows)
    {
        var now = clock.GetUtcNow();
        var actions = new List<TableTransactionAction>();
        var planned = new Dictionary<string, PostedToMember>(StringComparer.Ordinal);
        foreach (var member in round.GroupBy(posting => posting.MemberId, StringComparer.Ordinal))
        {
            var wallet = rows.TryGetValue(MemberRows.Wallet(member.Key), out var walletRow) ? StoredWallet.Read(walletRow) : StoredWallet.New(member.Key);
            var state = wallet.State;
            // Running totals by day row: the member's per business date, and an activity type's.
            var earnedByRow = new Dictionary<string, long>(StringComparer.Ordinal);
            long EarnedBefore(string rowKey) => earnedByRow.TryGetValue(rowKey, out var running)
                ? running
                : rows.TryGetValue(rowKey, out var day) ? day.GetInt64(MemberRows.Columns.Earned) ?? 0 : 0;
            foreach (var posting in member)
            {
                var dayRow = MemberRows.Day(member.Key, posting.BusinessDate);
                var typeRow = posting.ActivityType is { } type ? MemberRows.TypeDay(member.Key, posting.BusinessDate, type) : null;
                var earnedThatDay = EarnedBefore(dayRow);
                var earnings = new DayEarnings(earnedThatDay, typeRow is null ? 0 : EarnedBefore(typeRow));
                var linePoints = posting.Plan(earnings);
                var notes = posting.Notes?.Invoke(earnings) ?? [];
                var total = linePoints.Values.Sum();
                earnedByRow[dayRow] = earnedThatDay + Math.Max(0, total);
                if (typeRow is not null)
                {
                    earnedByRow[typeRow] = EarnedBefore(typeRow) + Math.Max(0, total);
                }

                var marker = new TableEntity(partitionKey, MemberRows.Marker(member.Key, posting.ReceiptId))
                {
                    [MemberRows.Columns.Points] = total,
                    [MemberRows.Columns.BusinessDate] = posting.BusinessDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    [MemberRows.Columns.LinePoints] = JsonSerializer.Serialize(linePoints),
                    [MemberRows.Columns.PostedAt] = now,
                    [MemberRows.Columns.ChainId] = posting.ChainId,
                };
                if (posting.OriginalReceiptId is { } originalReceiptId)
                {
                    marker[MemberRows.Columns.OriginalReceiptId] = originalReceiptId;
                }

                if (notes.Count > 0)
                {
                    marker[MemberRows.Columns.Notes] = JsonSerializer.Serialize(notes, Json);
                }

                LongText.Set(marker, MemberRows.Columns.Decision, JsonSerializer.Serialize(posting.Decision, Json));
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, marker));
                planned[posting.ReceiptId] = new PostedToMember(posting.Decision, linePoints) { Notes = notes };

                if (total != 0)
                {
                    var change = total > 0
                        ? WalletDecider.Award(state, posting.ReceiptId, posting.ChainId, total, now, posting.PendingPeriod ?? rules.Wallet.PendingPeriod, rules.Wallet)
                        : WalletDecider.Reverse(state, posting.ReceiptId, posting.ChainId, -total, posting.OriginalReceiptId, now);
                    state = change.State;
                    var (storeId, terminalId) = posting.StoreId is not null
                        ? (posting.StoreId, posting.TerminalId)
                        : ReceiptKey.TryParse(posting.ReceiptId, out var key) ? (key.StoreId, key.TerminalId) : (null, null);
                    var entries = storeId is null
                        ? change.Entries
                        : change.Entries.Select(entry => entry with { StoreId = storeId, TerminalId = terminalId }).ToList();
                    actions.AddRange(StatementRows.Rows(partitionKey, member.Key, entries, rules.Wallet.YuanPerPoint).Select(row => new TableTransactionAction(TableTransactionActionType.Add, row)));
                }
            }

            if (!ReferenceEquals(state, wallet.State))
            {
                actions.Add(wallet.Write(partitionKey, state));
            }

            foreach (var (dayRow, total) in earnedByRow)
            {
                var before = rows.TryGetValue(dayRow, out var day) ? day.GetInt64(MemberRows.Columns.Earned) ?? 0 : 0;
                if (total > before)
                {
                    actions.Add(DayTotal(day, partitionKey, dayRow, total - before, now));
                }
            }
        }

        return (actions, planned);
    }

    /// <summary>
    /// Builds the wallet of a member whose balance was written before wallets existed: one lot per past
    /// award and each past reversal replayed in posting order, by the same rules as today
    /// (<see cref="WalletDecider"/>), with statement entries dated at the postings. Idempotent: entries are
    /// upserted under keys fixed by the postings, and the wallet replaces the old balance only if neither
    /// changed meanwhile.
    /// </summary>
    private async Task MigrateAsync(TableClient table, string partitionKey, string memberId, TableEntity legacy, CancellationToken cancellationToken)
    {
        var prefix = memberId + "!posting!";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {prefix} and RowKey lt {memberId + "!posting\""}");
        var markers = new List<TableEntity>();
        // A projection returns only the properties named, keys included: the receipt id is in the row key.
        await foreach (var marker in table.QueryAsync<TableEntity>(filter, select: ["RowKey", MemberRows.Columns.Points, MemberRows.Columns.PostedAt], cancellationToken: cancellationToken))
        {
            markers.Add(marker);
        }

        var state = WalletState.Empty;
        var rowsToWrite = new List<TableEntity>();
        foreach (var marker in markers.OrderBy(marker => marker.GetDateTimeOffset(MemberRows.Columns.PostedAt)).ThenBy(marker => marker.RowKey, StringComparer.Ordinal))
        {
            var receiptId = marker.RowKey[prefix.Length..];
            var points = marker.GetInt64(MemberRows.Columns.Points) ?? 0;
            var postedAt = marker.GetDateTimeOffset(MemberRows.Columns.PostedAt) ?? legacy.Timestamp ?? clock.GetUtcNow();
            var chainId = receiptId.Split('~')[0];
            if (points == 0)
            {
                continue;
            }

            var change = points > 0
                ? WalletDecider.Award(state, receiptId, chainId, points, postedAt, rules.Wallet.PendingPeriod, rules.Wallet)
                : WalletDecider.Reverse(state, receiptId, chainId, -points, await originals.FindOriginalReceiptIdAsync(receiptId, cancellationToken), postedAt);
            state = change.State;
            rowsToWrite.AddRange(StatementRows.Rows(partitionKey, memberId, change.Entries, rules.Wallet.YuanPerPoint));
        }

        if (state.Earned != (legacy.GetInt64(MemberRows.Columns.Earned) ?? 0) || state.Reversed != (legacy.GetInt64(MemberRows.Columns.Reversed) ?? 0))
        {
            logger.LogWarning("Migrating a wallet of bucket {Bucket}: its postings sum to {Earned}/{Reversed}, its old balance to {OldEarned}/{OldReversed}; the postings are kept",
                partitionKey, state.Earned, state.Reversed, legacy.GetInt64(MemberRows.Columns.Earned), legacy.GetInt64(MemberRows.Columns.Reversed));
        }

        foreach (var chunk in rowsToWrite.Chunk(TableTransactions.MaxActions))
        {
            await table.SubmitTransactionAsync(chunk.Select(row => new TableTransactionAction(TableTransactionActionType.UpsertReplace, row)), cancellationToken);
        }

        try
        {
            await table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partitionKey, legacy.RowKey), legacy.ETag),
                    StoredWallet.New(memberId).Write(partitionKey, state),
                ],
                cancellationToken);
        }
        catch (TableTransactionFailedException failure) when (failure.Status is 404 or 409 or 412)
        {
            // Another instance migrated this member first.
        }
    }

    internal static async Task<Dictionary<string, TableEntity>> ReadRowsAsync(TableClient table, string partitionKey, IEnumerable<string> rowKeys, CancellationToken cancellationToken)
    {
        var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        foreach (var chunk in rowKeys.Distinct(StringComparer.Ordinal).Chunk(MaxRowsPerQuery))
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}") + " and (" +
                string.Join(" or ", chunk.Select(rowKey => TableClient.CreateQueryFilter($"RowKey eq {rowKey}"))) + ")";
            await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                rows[row.RowKey] = row;
            }
        }

        return rows;
    }

    private static async Task<Dictionary<string, PostedToMember>> ReadMarkersAsync(TableClient table, string partitionKey, List<MemberPosting> round, CancellationToken cancellationToken)
    {
        var receiptByRow = round.ToDictionary(posting => MemberRows.Marker(posting.MemberId, posting.ReceiptId), posting => posting.ReceiptId, StringComparer.Ordinal);
        var markers = await ReadRowsAsync(table, partitionKey, receiptByRow.Keys, cancellationToken);
        return markers.ToDictionary(
            pair => receiptByRow[pair.Key],
            pair => new PostedToMember(JsonSerializer.Deserialize<ScoringDecision>(LongText.Get(pair.Value, MemberRows.Columns.Decision)!, Json)!, JsonSerializer.Deserialize<Dictionary<int, long>>(pair.Value.GetString(MemberRows.Columns.LinePoints)!)!)
            {
                Notes = pair.Value.GetString(MemberRows.Columns.Notes) is { } notes ? JsonSerializer.Deserialize<List<string>>(notes, Json)! : [],
            },
            StringComparer.Ordinal);
    }

    /// <summary>Adds to a day total: an insert when it does not exist yet, else a merge under its ETag.</summary>
    private static TableTransactionAction DayTotal(TableEntity? existing, string partitionKey, string rowKey, long add, DateTimeOffset now)
    {
        var entity = new TableEntity(partitionKey, rowKey)
        {
            [MemberRows.Columns.UpdatedAt] = now,
            [MemberRows.Columns.Earned] = (existing?.GetInt64(MemberRows.Columns.Earned) ?? 0) + add,
        };
        return existing is null
            ? new TableTransactionAction(TableTransactionActionType.Add, entity)
            : new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, existing.ETag);
    }
}
