using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using PosGreenPoints.Functions.Infrastructure;

namespace PosGreenPoints.Functions.Points;

/// <summary>A member's balance as the points API shows it.</summary>
public sealed record MemberBalance(long Earned, long Reversed, DateTimeOffset? UpdatedAt)
{
    public long Balance => Earned - Reversed;
}

/// <summary>
/// One receipt to post to a member. <see cref="Plan"/> gets what the member earned on the business date
/// before this receipt and returns the final points per line (the member daily cap);
/// <see cref="Decision"/> is the scoring decision the points come from, kept with the posting.
/// </summary>
public sealed record MemberPosting(
    string MemberId,
    string ReceiptId,
    DateOnly BusinessDate,
    string Decision,
    Func<long, IReadOnlyDictionary<int, long>> Plan);

/// <summary>What a receipt posted to its member: by this call, or by an earlier one whose decision and points stand.</summary>
public sealed record PostedToMember(string Decision, IReadOnlyDictionary<int, long> LinePoints);

/// <summary>
/// Member balances and the member daily cap. A member's rows — the balance, one running total per
/// business date, one marker per receipt posted — share one table partition, so posting a receipt is an
/// entity-group transaction: insert the marker, add to the day and the balance under their ETags. It is
/// atomic, counted exactly once (a marker cannot be inserted twice), and the cap holds however many
/// instances post to one member at once (a lost ETag race is retried against the new totals).
/// <para>
/// The marker holds the receipt's scoring decision: the transaction that posts the points is the one
/// that fixes what they were for, so scoring writes no separate decision for a member's receipt.
/// </para>
/// <para>
/// Members share <see cref="BucketCount"/> partitions (by a hash of the member id) rather than having one
/// each, so that a batch of 100 receipts for 100 members is a few reads and transactions per bucket, not
/// 200 operations. ETags are per entity, so members of one bucket never contend with each other; the
/// price is that one partition carries a sixteenth of all members' postings (Azure's per-partition target
/// is about 2,000 entities/s, some 600 receipts/s per bucket). The count is part of the stored layout:
/// changing it needs a migration.
/// </para>
/// </summary>
public sealed class MemberAccounts(TableServiceClient tables, StorageProvisioner provisioner, TimeProvider clock)
{
    public const int BucketCount = 16;

    private const int MaxAttempts = 50;
    /// <summary>Azure Table queries allow 15 comparisons in a filter; one is the partition key.</summary>
    private const int MaxRowsPerQuery = 14;

    private readonly ProvisionedTable _table = new(provisioner, tables, StorageNames.Tables.Members);

    public static string PartitionKeyOf(string memberId) =>
        "m" + (SHA256.HashData(Encoding.UTF8.GetBytes(memberId))[0] % BucketCount).ToString("x2", CultureInfo.InvariantCulture);

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

    public async Task<MemberBalance?> FindAsync(string memberId, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKeyOf(memberId), BalanceRow(memberId), cancellationToken: cancellationToken);
        return found.HasValue
            ? new MemberBalance(found.Value!.GetInt64("Earned") ?? 0, found.Value.GetInt64("Reversed") ?? 0, found.Value.GetDateTimeOffset("UpdatedAt"))
            : null;
    }

    /// <summary>
    /// Rewrites the decision kept with a posted receipt (its posting day moved) under the marker's ETag:
    /// <paramref name="move"/> gets the stored decision and returns the new one, or null to keep it.
    /// </summary>
    /// <returns>The decision that stands.</returns>
    public async Task<string> MoveDecisionAsync(string memberId, string receiptId, Func<string, string?> move, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        while (true)
        {
            var marker = (await table.GetEntityAsync<TableEntity>(PartitionKeyOf(memberId), MarkerRow(memberId, receiptId), cancellationToken: cancellationToken)).Value;
            var stored = LongText.Get(marker, "Decision")!;
            if (move(stored) is not { } moved)
            {
                return stored;
            }

            var update = new TableEntity(marker.PartitionKey, marker.RowKey);
            LongText.Set(update, "Decision", moved);
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

    private async Task PostToBucketAsync(TableClient table, string partitionKey, List<MemberPosting> postings, ConcurrentDictionary<string, PostedToMember> posted, CancellationToken cancellationToken)
    {
        // Member by member and receipt by receipt in a fixed order, so a retry plans the same way.
        var pending = postings.OrderBy(posting => posting.MemberId, StringComparer.Ordinal).ThenBy(posting => posting.ReceiptId, StringComparer.Ordinal).ToList();
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var round = NextRound(pending);
            var rows = await ReadRowsAsync(table, partitionKey,
                round.SelectMany(posting => new[] { BalanceRow(posting.MemberId), DayRow(posting.MemberId, posting.BusinessDate) }), cancellationToken);
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

                // Another receipt of a member here got in first (a 412, or a 409 on a counter it created):
                // read again after a short random pause, so that racing scorers spread out.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * Math.Min(attempt, 10))), clock, cancellationToken);
            }
        }
    }

    /// <summary>
    /// The postings one transaction takes: whole members while they fit (a member's balance may be
    /// touched by one transaction at a time), or the first receipts of a member with more than fit.
    /// </summary>
    private static List<MemberPosting> NextRound(List<MemberPosting> pending)
    {
        var round = new List<MemberPosting>();
        var actions = 0;
        var chars = 0;
        foreach (var member in pending.GroupBy(posting => posting.MemberId, StringComparer.Ordinal))
        {
            var receipts = member.ToList();
            var dates = receipts.Select(posting => posting.BusinessDate).Distinct().Count();
            var memberActions = receipts.Count + 1 + dates;
            var memberChars = receipts.Sum(posting => posting.Decision.Length);
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

    /// <summary>The first receipts of one member that fit a transaction with the balance and their day totals.</summary>
    private static List<MemberPosting> FirstThatFit(List<MemberPosting> receipts)
    {
        var fitting = new List<MemberPosting>();
        var dates = new HashSet<DateOnly>();
        foreach (var posting in receipts)
        {
            var datesAfter = dates.Count + (dates.Contains(posting.BusinessDate) ? 0 : 1);
            if (fitting.Count + 1 + 1 + datesAfter > TableTransactions.MaxActions)
            {
                break;
            }

            fitting.Add(posting);
            dates.Add(posting.BusinessDate);
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
            var earnedByDay = new Dictionary<DateOnly, long>();
            long earned = 0, reversed = 0;
            foreach (var posting in member)
            {
                var dayRow = DayRow(member.Key, posting.BusinessDate);
                var earnedThatDay = earnedByDay.TryGetValue(posting.BusinessDate, out var running)
                    ? running
                    : rows.TryGetValue(dayRow, out var day) ? day.GetInt64("Earned") ?? 0 : 0;
                var linePoints = posting.Plan(earnedThatDay);
                var total = linePoints.Values.Sum();
                earnedByDay[posting.BusinessDate] = earnedThatDay + Math.Max(0, total);
                (earned, reversed) = total >= 0 ? (earned + total, reversed) : (earned, reversed - total);

                var marker = new TableEntity(partitionKey, MarkerRow(member.Key, posting.ReceiptId))
                {
                    ["Points"] = total,
                    ["BusinessDate"] = posting.BusinessDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    ["LinePoints"] = JsonSerializer.Serialize(linePoints),
                    ["PostedAt"] = now,
                };
                LongText.Set(marker, "Decision", posting.Decision);
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, marker));
                planned[posting.ReceiptId] = new PostedToMember(posting.Decision, linePoints);
            }

            actions.Add(Counter(rows.GetValueOrDefault(BalanceRow(member.Key)), partitionKey, BalanceRow(member.Key), [("Earned", earned), ("Reversed", reversed)], now));
            foreach (var (date, total) in earnedByDay)
            {
                var dayRow = DayRow(member.Key, date);
                var before = rows.TryGetValue(dayRow, out var day) ? day.GetInt64("Earned") ?? 0 : 0;
                if (total > before)
                {
                    actions.Add(Counter(day, partitionKey, dayRow, [("Earned", total - before)], now));
                }
            }
        }

        return (actions, planned);
    }

    private static async Task<Dictionary<string, TableEntity>> ReadRowsAsync(TableClient table, string partitionKey, IEnumerable<string> rowKeys, CancellationToken cancellationToken)
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
        var receiptByRow = round.ToDictionary(posting => MarkerRow(posting.MemberId, posting.ReceiptId), posting => posting.ReceiptId, StringComparer.Ordinal);
        var markers = await ReadRowsAsync(table, partitionKey, receiptByRow.Keys, cancellationToken);
        return markers.ToDictionary(
            pair => receiptByRow[pair.Key],
            pair => new PostedToMember(LongText.Get(pair.Value, "Decision")!, JsonSerializer.Deserialize<Dictionary<int, long>>(pair.Value.GetString("LinePoints"))!),
            StringComparer.Ordinal);
    }

    private static string BalanceRow(string memberId) => memberId + "!balance";

    private static string DayRow(string memberId, DateOnly businessDate) => memberId + "!day!" + businessDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string MarkerRow(string memberId, string receiptId) => memberId + "!posting!" + receiptId;

    /// <summary>Adds to a counter entity: an insert when it does not exist yet, else a merge under its ETag.</summary>
    private static TableTransactionAction Counter(TableEntity? existing, string partitionKey, string rowKey, IReadOnlyList<(string Name, long Amount)> add, DateTimeOffset now)
    {
        var entity = new TableEntity(partitionKey, rowKey) { ["UpdatedAt"] = now };
        foreach (var (name, amount) in add)
        {
            entity[name] = (existing?.GetInt64(name) ?? 0) + amount;
        }

        return existing is null
            ? new TableTransactionAction(TableTransactionActionType.Add, entity)
            : new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, existing.ETag);
    }
}
