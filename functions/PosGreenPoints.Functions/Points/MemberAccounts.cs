using System.Globalization;
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
/// Member balances and the member daily cap, in one table partition per member: the balance, one
/// running total per business date, and one marker per receipt posted to the member. Posting a receipt
/// is a single entity-group transaction over that partition (insert the marker, update the day and
/// the balance under their ETags), so it is atomic, counted exactly once (the marker cannot be inserted
/// twice), and the daily cap holds however many instances post to one member at once (a lost ETag race
/// is retried against the new totals).
/// </summary>
public sealed class MemberAccounts(TableServiceClient tables, StorageProvisioner provisioner, TimeProvider clock)
{
    private const string BalanceRow = "balance";
    private const int MaxAttempts = 50;
    private readonly ProvisionedTable _table = new(provisioner, tables, StorageNames.Tables.Members);

    /// <summary>
    /// Posts a receipt's points to a member once. <paramref name="plan"/> gets what the member earned on
    /// the business date so far and returns the final points per line; when the receipt was posted
    /// before, the points then decided are returned and nothing changes.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, long>> PostAsync(
        string memberId,
        string receiptId,
        DateOnly businessDate,
        Func<long, IReadOnlyDictionary<int, long>> plan,
        CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var dayRow = "day!" + businessDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var markerRow = "posting!" + receiptId;
        for (var attempt = 1; ; attempt++)
        {
            var rows = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {memberId} and (RowKey eq {BalanceRow} or RowKey eq {dayRow} or RowKey eq {markerRow})");
            await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                rows[row.RowKey] = row;
            }

            if (rows.TryGetValue(markerRow, out var marker))
            {
                return JsonSerializer.Deserialize<Dictionary<int, long>>(marker.GetString("LinePoints"))!;
            }

            var earnedThatDay = rows.TryGetValue(dayRow, out var day) ? day.GetInt64("Earned") ?? 0 : 0;
            var linePoints = plan(earnedThatDay);
            var total = linePoints.Values.Sum();
            var now = clock.GetUtcNow();

            var actions = new List<TableTransactionAction>
            {
                new(TableTransactionActionType.Add, new TableEntity(memberId, markerRow)
                {
                    ["Points"] = total,
                    ["BusinessDate"] = businessDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    ["LinePoints"] = JsonSerializer.Serialize(linePoints),
                    ["PostedAt"] = now,
                }),
                Counter(rows.GetValueOrDefault(BalanceRow), memberId, BalanceRow, total >= 0 ? ("Earned", total) : ("Reversed", -total), now),
            };
            if (total > 0)
            {
                actions.Add(Counter(day, memberId, dayRow, ("Earned", total), now));
            }

            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken);
                return linePoints;
            }
            catch (TableTransactionFailedException failure) when (failure.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another receipt of this member (or this receipt, on another instance) got there first:
                // read again, after a short random pause so that racing scorers spread out.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * Math.Min(attempt, 10))), clock, cancellationToken);
            }
        }
    }

    public async Task<MemberBalance?> FindAsync(string memberId, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(memberId, BalanceRow, cancellationToken: cancellationToken);
        return found.HasValue
            ? new MemberBalance(found.Value!.GetInt64("Earned") ?? 0, found.Value.GetInt64("Reversed") ?? 0, found.Value.GetDateTimeOffset("UpdatedAt"))
            : null;
    }

    /// <summary>Adds to a counter entity: an insert when it does not exist yet, else a merge under its ETag.</summary>
    private static TableTransactionAction Counter(TableEntity? existing, string memberId, string rowKey, (string Name, long Amount) add, DateTimeOffset now)
    {
        if (existing is null)
        {
            var created = new TableEntity(memberId, rowKey) { [add.Name] = add.Amount, ["UpdatedAt"] = now };
            if (rowKey == BalanceRow)
            {
                created.TryAdd("Earned", 0L);
                created.TryAdd("Reversed", 0L);
            }

            return new TableTransactionAction(TableTransactionActionType.Add, created);
        }

        var updated = new TableEntity(memberId, rowKey)
        {
            [add.Name] = (existing.GetInt64(add.Name) ?? 0) + add.Amount,
            ["UpdatedAt"] = now,
        };
        return new TableTransactionAction(TableTransactionActionType.UpdateMerge, updated, existing.ETag);
    }
}
