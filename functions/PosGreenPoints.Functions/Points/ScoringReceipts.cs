using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Receipts;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Functions.Points;

/// <summary>
/// The Receipts table as scoring uses it, a partition at a time: a message's receipts read in one query
/// per partition, decisions and results written in entity-group transactions. This is what makes a batch
/// of 100 receipts cost a few storage operations instead of a few hundred.
/// </summary>
public sealed class ScoringReceipts(TableServiceClient tables, BlobServiceClient blobs, StorageProvisioner provisioner) : IReturnOriginals
{
    private const int MaxAttempts = 50;

    private readonly ProvisionedTable _receipts = new(provisioner, tables, StorageNames.Tables.Receipts);
    private readonly BlobContainerClient _bodies = blobs.GetBlobContainerClient(StorageNames.Containers.Receipts);

    public Task<TableClient> TableAsync(CancellationToken cancellationToken) => _receipts.GetAsync(cancellationToken);

    /// <summary>
    /// The stored receipts of <paramref name="keys"/> that <paramref name="messageId"/> owns, by receipt
    /// id; a key missing from the answer is not stored or belongs to another message (see <see cref="FindAsync"/>).
    /// </summary>
    public async Task<Dictionary<string, TableEntity>> ReadOwnedAsync(IReadOnlyList<ReceiptKey> keys, string messageId, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var found = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        foreach (var partition in keys.GroupBy(key => key.PartitionKey, StringComparer.Ordinal))
        {
            var wanted = partition.ToDictionary(key => key.RowKey, key => key.ReceiptId, StringComparer.Ordinal);
            if (wanted.Count == 1)
            {
                var key = partition.First();
                var single = await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
                if (single.HasValue && single.Value!.GetString(nameof(ReceiptRecord.ScoringMessageId)) == messageId)
                {
                    found[key.ReceiptId] = single.Value;
                }

                continue;
            }

            // One query for the partition: the message's own receipts are exactly those naming it.
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition.Key} and ScoringMessageId eq {messageId}");
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                if (wanted.TryGetValue(entity.RowKey, out var receiptId))
                {
                    found[receiptId] = entity;
                }
            }
        }

        return found;
    }

    /// <summary>The receipt as posted: from the entity, or from its blob when it was too large for one (claim check).</summary>
    public async Task<ValidatedReceipt> LoadBodyAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        if (entity.GetString(nameof(ReceiptRecord.Body)) is { } body)
        {
            return ValidatedReceipt.FromCanonicalJson(body);
        }

        var blob = await _bodies.GetBlobClient(entity.GetString(nameof(ReceiptRecord.BodyBlob))).DownloadContentAsync(cancellationToken);
        return ValidatedReceipt.FromCanonicalJson(blob.Value.Content.ToString());
    }

    public async Task<string?> FindOriginalReceiptIdAsync(string returnReceiptId, CancellationToken cancellationToken)
    {
        if (!ReceiptKey.TryParse(returnReceiptId, out var key) || await FindAsync(key, cancellationToken) is not { } entity)
        {
            return null;
        }

        return (await LoadBodyAsync(entity, cancellationToken)).OriginalKey?.ReceiptId;
    }

    /// <summary>What a sale's returns took back so far (none before its first return).</summary>
    public static ReturnsState ReturnsOf(TableEntity sale) =>
        LongText.Get(sale, ReceiptRecord.ScoringColumns.Returns) is { } text ? JsonSerializer.Deserialize<ReturnsState>(text, JsonSerializerOptions.Web)! : ReturnsState.None;

    /// <summary>Writes what a sale's returns took back under the ETag the sale was read with.</summary>
    /// <returns>False when another return of the sale wrote first: read it and decide again.</returns>
    public async Task<bool> SaveReturnsAsync(TableEntity sale, ReturnsState returns, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var update = new TableEntity(sale.PartitionKey, sale.RowKey);
        LongText.Set(update, ReceiptRecord.ScoringColumns.Returns, JsonSerializer.Serialize(returns, JsonSerializerOptions.Web));
        try
        {
            await table.UpdateEntityAsync(update, sale.ETag, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException failure) when (failure.Status == 412)
        {
            return false;
        }
    }

    /// <summary>Hands a waiting return to its new scoring message under the ETag it was read with (a lost race leaves it to the other message).</summary>
    public async Task HandToMessageAsync(TableEntity receipt, string messageId, int waits, IReadOnlyList<string> notes, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var update = new TableEntity(receipt.PartitionKey, receipt.RowKey)
        {
            [nameof(ReceiptRecord.ScoringMessageId)] = messageId,
            [ReceiptRecord.ScoringColumns.ReturnWaits] = waits,
            [nameof(ReceiptRecord.Notes)] = JsonSerializer.Serialize(notes, JsonSerializerOptions.Web),
        };
        await table.UpdateEntityAsync(update, receipt.ETag, TableUpdateMode.Merge, cancellationToken);
    }

    /// <summary>Records why scoring failed on a receipt not scored yet; a final failure marks it failed.</summary>
    public async Task RecordFailureAsync(ReceiptKey key, string reason, bool final, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var entity = new TableEntity(key.PartitionKey, key.RowKey) { [ReceiptRecord.ScoringColumns.LastFailure] = reason[..Math.Min(reason.Length, 1000)] };
        if (final)
        {
            entity[nameof(ReceiptRecord.Status)] = ReceiptStatuses.Failed;
            entity[nameof(ReceiptRecord.Notes)] = JsonSerializer.Serialize(new[] { "scoring-failed: " + reason[..Math.Min(reason.Length, 300)] }, JsonSerializerOptions.Web);
        }

        var current = await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, select: [nameof(ReceiptRecord.Status)], cancellationToken: cancellationToken);
        if (current.HasValue && current.Value!.GetString(nameof(ReceiptRecord.Status)) != ReceiptStatuses.Scored)
        {
            await table.UpdateEntityAsync(entity, current.Value.ETag, TableUpdateMode.Merge, cancellationToken);
        }
    }

    public async Task<TableEntity?> FindAsync(ReceiptKey key, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>
    /// Writes each receipt's decision under the ETag it was read with; where another scorer wrote one
    /// first, that one stands.
    /// </summary>
    /// <returns>The decision that stands per receipt entity (by partition and row key).</returns>
    public async Task<Dictionary<(string, string), ScoringDecision>> SaveDecisionsAsync(IReadOnlyList<(TableEntity Entity, ScoringDecision Decision)> decisions, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        var standing = new Dictionary<(string, string), ScoringDecision>();
        var pending = decisions.Select(item =>
        {
            var update = new TableEntity(item.Entity.PartitionKey, item.Entity.RowKey) { ETag = item.Entity.ETag };
            LongText.Set(update, ReceiptRecord.ScoringColumns.Decision, JsonSerializer.Serialize(item.Decision, JsonSerializerOptions.Web));
            return (Update: update, item.Decision);
        }).ToList();
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            var chunk = TableTransactions.Chunk(pending.Where(item => item.Update.PartitionKey == pending[0].Update.PartitionKey), item => DecisionLength(item.Update)).First();
            try
            {
                await table.SubmitTransactionAsync(chunk.Select(item => new TableTransactionAction(TableTransactionActionType.UpdateMerge, item.Update, item.Update.ETag)), cancellationToken);
                foreach (var item in chunk)
                {
                    standing[(item.Update.PartitionKey, item.Update.RowKey)] = item.Decision;
                }

                pending.RemoveAll(item => chunk.Contains(item));
            }
            catch (TableTransactionFailedException failure) when (failure.Status == 412 && failure.FailedTransactionActionIndex is int index && attempt < MaxAttempts)
            {
                // That receipt changed since it was read: another scorer decided first, or it was handed
                // to a later message; read it again and let its decision stand, or write ours on the new ETag.
                var changed = chunk[index].Update;
                var current = (await table.GetEntityAsync<TableEntity>(changed.PartitionKey, changed.RowKey, cancellationToken: cancellationToken)).Value;
                if (LongText.Get(current, ReceiptRecord.ScoringColumns.Decision) is { } stored)
                {
                    standing[(changed.PartitionKey, changed.RowKey)] = JsonSerializer.Deserialize<ScoringDecision>(stored, JsonSerializerOptions.Web)!;
                    pending.RemoveAll(item => ReferenceEquals(item.Update, changed));
                }
                else
                {
                    changed.ETag = current.ETag;
                }
            }
        }

        return standing;
    }

    /// <summary>
    /// Writes the results (status, points, lines, notes, the final decision). A plain merge: whoever
    /// wrote a receipt since it was read (another scorer, marking it scored with the same values) did this
    /// step already.
    /// </summary>
    public async Task MarkScoredAsync(IReadOnlyList<TableEntity> results, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        foreach (var partition in results.GroupBy(entity => entity.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in TableTransactions.Chunk(partition, Length))
            {
                await table.SubmitTransactionAsync(chunk.Select(entity => new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, ETag.All)), cancellationToken);
            }
        }
    }

    /// <summary>Rewrites one receipt's decision under its current ETag (its posting day moved): <paramref name="move"/> returns null to keep the stored one.</summary>
    public async Task<ScoringDecision> MoveDecisionAsync(ReceiptKey key, Func<ScoringDecision, ScoringDecision?> move, CancellationToken cancellationToken)
    {
        var table = await TableAsync(cancellationToken);
        while (true)
        {
            var entity = (await table.GetEntityAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken)).Value;
            var stored = JsonSerializer.Deserialize<ScoringDecision>(LongText.Get(entity, ReceiptRecord.ScoringColumns.Decision)!, JsonSerializerOptions.Web)!;
            if (move(stored) is not { } moved)
            {
                return stored;
            }

            var update = new TableEntity(key.PartitionKey, key.RowKey);
            LongText.Set(update, ReceiptRecord.ScoringColumns.Decision, JsonSerializer.Serialize(moved, JsonSerializerOptions.Web));
            try
            {
                await table.UpdateEntityAsync(update, entity.ETag, TableUpdateMode.Merge, cancellationToken);
                return moved;
            }
            catch (RequestFailedException failure) when (failure.Status == 412)
            {
                // Changed meanwhile: look again.
            }
        }
    }

    private static int DecisionLength(TableEntity entity) => LongText.Get(entity, ReceiptRecord.ScoringColumns.Decision)?.Length ?? 0;

    private static int Length(TableEntity entity) => entity.Sum(pair => pair.Value is string text ? text.Length : 8);
}
