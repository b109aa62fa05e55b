using System.Globalization;
using System.Runtime.Serialization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Infrastructure.Poison;

namespace PosGreenPoints.Functions.Activities;

/// <summary>A stored activity: its natural key, its content, and its status. Small enough to be always inline.</summary>
public sealed class ActivityRecord : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ChainId { get; set; } = "";
    public string StoreId { get; set; } = "";
    public string TerminalId { get; set; } = "";
    public string ActivityId { get; set; } = "";
    public string Type { get; set; } = "";
    public string MemberId { get; set; } = "";

    /// <summary>Invariant text: a table has no decimal type, and a quantity is never a double.</summary>
    public string Quantity { get; set; } = "";

    public DateTimeOffset OccurredAt { get; set; }
    public string BusinessDate { get; set; } = "";

    /// <summary><see cref="ValidatedActivity.ContentHash"/>: a repost with the same hash is a duplicate, with another a conflict.</summary>
    public string ContentHash { get; set; } = "";

    /// <summary>One of <see cref="ReceiptStatuses"/>: activities go through the same states as receipts.</summary>
    public string Status { get; set; } = "";
    public DateTimeOffset AcceptedAt { get; set; }

    /// <summary>The client id of the key that posted it (not content: a re-post by another key is a duplicate).</summary>
    public string? PostedBy { get; set; }

    /// <summary>The id of the queue message that owns this activity's scoring.</summary>
    public string ScoringMessageId { get; set; } = "";

    public long? Points { get; set; }

    /// <summary>The scoring notes as a JSON array of strings.</summary>
    public string? Notes { get; set; }

    public DateTimeOffset? ScoredAt { get; set; }

    /// <summary>Why scoring last failed, for the operator.</summary>
    public string? LastFailure { get; set; }

    public static ActivityRecord Of(ValidatedActivity activity, string messageId, string? postedBy, DateTimeOffset now)
    {
        var key = activity.Key;
        return new ActivityRecord
        {
            PartitionKey = key.PartitionKey,
            RowKey = key.RowKey,
            ChainId = activity.ChainId,
            StoreId = activity.StoreId,
            TerminalId = activity.TerminalId,
            ActivityId = activity.ActivityId,
            Type = activity.Type,
            MemberId = activity.MemberId,
            Quantity = activity.Quantity.ToString(CultureInfo.InvariantCulture),
            OccurredAt = activity.OccurredAt,
            BusinessDate = activity.BusinessDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ContentHash = activity.ContentHash,
            Status = ReceiptStatuses.Accepted,
            AcceptedAt = now,
            ScoringMessageId = messageId,
            PostedBy = postedBy,
        };
    }

    /// <summary>Computed from the columns, so not one itself.</summary>
    [IgnoreDataMember]
    public ActivityKey Key => new(ChainId, StoreId, DateOnly.ParseExact(BusinessDate, "yyyy-MM-dd", CultureInfo.InvariantCulture), TerminalId, ActivityId);

    public ValidatedActivity ToActivity() => new(ChainId, StoreId, TerminalId, ActivityId, Type, MemberId,
        decimal.Parse(Quantity, NumberStyles.Number, CultureInfo.InvariantCulture), OccurredAt, Key.BusinessDate);

    public IReadOnlyList<string> NoteList() => Notes is null ? [] : JsonSerializer.Deserialize<List<string>>(Notes, JsonSerializerOptions.Web) ?? [];
}

/// <summary>What a stored activity is, as far as a repost of its key needs to know.</summary>
public sealed record StoredActivity(string ContentHash, string Status);

/// <summary>
/// The Activities table: one entity per activity, partitioned like receipts (chain, station, business
/// day), so a gate's batch is inserted, read for scoring and marked scored in entity-group transactions.
/// </summary>
public sealed class ActivityStore(TableServiceClient tables, StorageProvisioner provisioner)
{
    private readonly ProvisionedTable _table = new(provisioner, tables, StorageNames.Tables.Activities);

    /// <summary>
    /// Inserts the records, one transaction per chunk of a partition. A chunk that meets a stored activity
    /// (a replay, a concurrent post) fails whole; one range query then finds the stored ones and the rest
    /// is inserted in one more transaction, so a replayed batch costs about what storing it did.
    /// </summary>
    /// <returns>The records that were stored already, by id, with what is stored.</returns>
    public async Task<Dictionary<string, StoredActivity>> InsertAsync(IReadOnlyList<ActivityRecord> records, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var existing = new Dictionary<string, StoredActivity>(StringComparer.Ordinal);
        foreach (var partition in records.GroupBy(record => record.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in TableTransactions.Chunk(partition, _ => 0))
            {
                var pending = chunk;
                while (pending.Count > 0)
                {
                    try
                    {
                        if (pending.Count == 1)
                        {
                            await table.AddEntityAsync(pending[0], cancellationToken);
                        }
                        else
                        {
                            await table.SubmitTransactionAsync(pending.Select(record => new TableTransactionAction(TableTransactionActionType.Add, record)), cancellationToken);
                        }

                        pending = [];
                    }
                    catch (RequestFailedException failure) when (failure.Status == 409)
                    {
                        // Each pass here finds at least one activity another post stored, so the loop ends.
                        var stored = await FindStoredAsync(table, pending, cancellationToken);
                        foreach (var (id, activity) in stored)
                        {
                            existing[id] = activity;
                        }

                        pending = pending.Where(record => !stored.ContainsKey(record.Key.Id)).ToList();
                    }
                }
            }
        }

        return existing;
    }

    public async Task<ActivityRecord?> FindAsync(ActivityKey key, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var found = await table.GetEntityIfExistsAsync<ActivityRecord>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>The stored activities of <paramref name="keys"/> that <paramref name="messageId"/> owns, by id: one read per partition.</summary>
    public async Task<Dictionary<string, ActivityRecord>> ReadOwnedAsync(IReadOnlyList<ActivityKey> keys, string messageId, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var found = new Dictionary<string, ActivityRecord>(StringComparer.Ordinal);
        foreach (var partition in keys.GroupBy(key => key.PartitionKey, StringComparer.Ordinal))
        {
            var wanted = partition.ToDictionary(key => key.RowKey, key => key.Id, StringComparer.Ordinal);
            if (wanted.Count == 1)
            {
                var key = partition.First();
                var single = await table.GetEntityIfExistsAsync<ActivityRecord>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
                if (single.HasValue && single.Value!.ScoringMessageId == messageId)
                {
                    found[key.Id] = single.Value;
                }

                continue;
            }

            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition.Key} and ScoringMessageId eq {messageId}");
            await foreach (var record in table.QueryAsync<ActivityRecord>(filter, cancellationToken: cancellationToken))
            {
                if (wanted.TryGetValue(record.RowKey, out var id))
                {
                    found[id] = record;
                }
            }
        }

        return found;
    }

    /// <summary>Writes the results; a plain merge, as whoever wrote an activity since it was read wrote the same result.</summary>
    public async Task MarkScoredAsync(IReadOnlyList<(ActivityKey Key, long Points, IReadOnlyList<string> Notes, DateTimeOffset ScoredAt)> results, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var updates = results.Select(result => new TableEntity(result.Key.PartitionKey, result.Key.RowKey)
        {
            [nameof(ActivityRecord.Status)] = ReceiptStatuses.Scored,
            [nameof(ActivityRecord.Points)] = result.Points,
            [nameof(ActivityRecord.Notes)] = JsonSerializer.Serialize(result.Notes, JsonSerializerOptions.Web),
            [nameof(ActivityRecord.ScoredAt)] = result.ScoredAt,
        });
        foreach (var partition in updates.GroupBy(entity => entity.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in TableTransactions.Chunk(partition, _ => 0))
            {
                await table.SubmitTransactionAsync(chunk.Select(entity => new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, ETag.All)), cancellationToken);
            }
        }
    }

    /// <summary>Hands an activity not scored yet to <paramref name="messageId"/>, a poison message replayed under a new id.</summary>
    public async Task HandOverAsync(ActivityKey key, string messageId, CancellationToken cancellationToken) =>
        await ScoringHandOver.HandOverAsync(await _table.GetAsync(cancellationToken), key.PartitionKey, key.RowKey, messageId, cancellationToken);

    /// <summary>Records why scoring failed on an activity not scored yet; a final failure marks it failed.</summary>
    public async Task RecordFailureAsync(ActivityKey key, string reason, bool final, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var entity = new TableEntity(key.PartitionKey, key.RowKey) { [nameof(ActivityRecord.LastFailure)] = reason[..Math.Min(reason.Length, 1000)] };
        if (final)
        {
            entity[nameof(ActivityRecord.Status)] = ReceiptStatuses.Failed;
            entity[nameof(ActivityRecord.Notes)] = JsonSerializer.Serialize(new[] { "scoring-failed: " + reason[..Math.Min(reason.Length, 300)] }, JsonSerializerOptions.Web);
        }

        var current = await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, select: [nameof(ActivityRecord.Status)], cancellationToken: cancellationToken);
        if (current.HasValue && current.Value!.GetString(nameof(ActivityRecord.Status)) != ReceiptStatuses.Scored)
        {
            await table.UpdateEntityAsync(entity, current.Value.ETag, TableUpdateMode.Merge, cancellationToken);
        }
    }

    /// <summary>The stored activities among <paramref name="records"/> (one partition): a point read for one, one range query for more.</summary>
    private static async Task<Dictionary<string, StoredActivity>> FindStoredAsync(TableClient table, List<ActivityRecord> records, CancellationToken cancellationToken)
    {
        string[] columns = [nameof(ActivityRecord.RowKey), nameof(ActivityRecord.ContentHash), nameof(ActivityRecord.Status)];
        var found = new Dictionary<string, StoredActivity>(StringComparer.Ordinal);
        var idByRow = records.ToDictionary(record => record.RowKey, record => record.Key.Id, StringComparer.Ordinal);
        if (records.Count == 1)
        {
            var one = await table.GetEntityIfExistsAsync<ActivityRecord>(records[0].PartitionKey, records[0].RowKey, select: columns, cancellationToken: cancellationToken);
            if (one.HasValue)
            {
                found[idByRow[records[0].RowKey]] = new StoredActivity(one.Value!.ContentHash, one.Value.Status);
            }

            return found;
        }

        var first = idByRow.Keys.Min(StringComparer.Ordinal)!;
        var last = idByRow.Keys.Max(StringComparer.Ordinal)!;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {records[0].PartitionKey} and RowKey ge {first} and RowKey le {last}");
        await foreach (var stored in table.QueryAsync<ActivityRecord>(filter, select: columns, cancellationToken: cancellationToken))
        {
            if (idByRow.TryGetValue(stored.RowKey, out var id))
            {
                found[id] = new StoredActivity(stored.ContentHash, stored.Status);
            }
        }

        return found;
    }
}
