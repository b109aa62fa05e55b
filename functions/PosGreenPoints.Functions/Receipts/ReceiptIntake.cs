using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Infrastructure.Telemetry;

namespace PosGreenPoints.Functions.Receipts;

/// <summary>What became of one receipt handed to <see cref="ReceiptIntake"/>.</summary>
public abstract record IntakeOutcome(string ReceiptId)
{
    public sealed record Accepted(string ReceiptId) : IntakeOutcome(ReceiptId);

    public sealed record Duplicate(string ReceiptId, string Status) : IntakeOutcome(ReceiptId);

    public sealed record Conflict(string ReceiptId) : IntakeOutcome(ReceiptId);
}

/// <summary>
/// Stores valid receipts and queues them for scoring, exactly once per natural key.
/// <para>
/// The order is "queue first, then store": one scoring message for the whole request is sent, then the
/// receipts are inserted (entity-group transactions per partition, each naming that message), and only
/// then is the request acknowledged. So an acknowledged receipt is stored and has a message, and a
/// crash between the two steps leaves at most a message pointing at nothing, which the scorer drops.
/// Idempotency is the insert itself: of concurrent posts of one key exactly one insert succeeds; the
/// others find the stored receipt (same content hash: duplicate; other: conflict) and delete their
/// own message when it carries nothing else. A single post costs two storage operations, a batch of
/// one store and day three (message, transaction, nothing else).
/// </para>
/// </summary>
public sealed class ReceiptIntake(
    TableServiceClient tables,
    QueueServiceClient queues,
    BlobServiceClient blobs,
    StorageProvisioner provisioner,
    TimeProvider clock)
{
    /// <summary>A queue message holds 64 KiB after base64; the id list is split well below that.</summary>
    internal const int MaxMessageIdChars = 40 * 1024;

    private readonly TableClient _receipts = tables.GetTableClient(StorageNames.Tables.Receipts);
    private readonly QueueClient _queue = queues.GetQueueClient(StorageNames.Queues.ReceiptsToScore);
    private readonly BlobContainerClient _bodies = blobs.GetBlobContainerClient(StorageNames.Containers.Receipts);

    public Task<IReadOnlyList<IntakeOutcome>> AcceptAsync(IReadOnlyList<ValidatedReceipt> receipts, CancellationToken cancellationToken) =>
        AcceptAsync(receipts, postedBy: null, cancellationToken);

    /// <param name="postedBy">The API client posting (it alone, with operators, sees the member ids of its receipts); null for a tool.</param>
    public async Task<IReadOnlyList<IntakeOutcome>> AcceptAsync(IReadOnlyList<ValidatedReceipt> receipts, string? postedBy, CancellationToken cancellationToken)
    {
        // The parent of the scoring trace: where there is no HTTP span (a test, a tool), this starts it.
        using var activity = PosGreenPointsTelemetry.ActivitySource.StartActivity("accept receipts");
        activity?.SetTag("posgreenpoints.receipt_count", receipts.Count);
        await provisioner.EnsureCreatedAsync(cancellationToken);
        var outcomes = new IntakeOutcome?[receipts.Count];

        // The same key twice in one request: the first one stands for both.
        var firstIndexById = new Dictionary<string, int>(StringComparer.Ordinal);
        var toStore = new List<(int Index, ReceiptKey Key, ValidatedReceipt Receipt)>();
        for (var index = 0; index < receipts.Count; index++)
        {
            var key = KeyOf(receipts[index]);
            if (!firstIndexById.TryAdd(key.ReceiptId, index))
            {
                continue;
            }

            toStore.Add((index, key, receipts[index]));
        }

        var messages = await SendScoringMessagesAsync(toStore.Select(item => item.Key.ReceiptId).ToList(), cancellationToken);
        var now = clock.GetUtcNow();
        var records = new List<(int Index, ReceiptRecord Record)>();
        foreach (var (index, key, receipt) in toStore)
        {
            records.Add((index, await ToRecordAsync(key, receipt, messages[key.ReceiptId].MessageId, postedBy, now, cancellationToken)));
        }

        var existing = await InsertAsync(records, cancellationToken);
        foreach (var (index, record) in records)
        {
            outcomes[index] = existing.TryGetValue(record.RowKeyAndPartition(), out var stored)
                ? stored.ContentHash == record.ContentHash
                    ? new IntakeOutcome.Duplicate(ReceiptIdOf(record), stored.Status)
                    : new IntakeOutcome.Conflict(ReceiptIdOf(record))
                : new IntakeOutcome.Accepted(ReceiptIdOf(record));
        }

        await DeleteMessagesThatOwnNothingAsync(messages, records, existing, cancellationToken);

        for (var index = 0; index < receipts.Count; index++)
        {
            if (outcomes[index] is null)
            {
                var first = outcomes[firstIndexById[KeyOf(receipts[index]).ReceiptId]]!;
                var sameContent = receipts[index].ContentHash == receipts[firstIndexById[KeyOf(receipts[index]).ReceiptId]].ContentHash;
                outcomes[index] = sameContent
                    ? new IntakeOutcome.Duplicate(first.ReceiptId, first is IntakeOutcome.Duplicate duplicate ? duplicate.Status : ReceiptStatuses.Accepted)
                    : new IntakeOutcome.Conflict(first.ReceiptId);
            }
        }

        return outcomes!;
    }

    public static ReceiptKey KeyOf(ValidatedReceipt receipt) =>
        new(receipt.ChainId, receipt.StoreId, receipt.BusinessDate, receipt.TerminalId, receipt.ReceiptNumber);

    private static string ReceiptIdOf(ReceiptRecord record) =>
        new ReceiptKey(record.ChainId, record.StoreId, DateOnly.ParseExact(record.BusinessDate, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), record.TerminalId, record.ReceiptNumber).ReceiptId;

    private async Task<Dictionary<string, (string MessageId, string PopReceipt)>> SendScoringMessagesAsync(IReadOnlyList<string> receiptIds, CancellationToken cancellationToken)
    {
        var byReceipt = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        var traceparent = PosGreenPointsTelemetry.CurrentTraceparent();
        foreach (var chunk in ChunkByChars(receiptIds, MaxMessageIdChars))
        {
            var sent = await _queue.SendMessageAsync(JsonSerializer.Serialize(new ScoringMessage(chunk, traceparent), JsonSerializerOptions.Web), cancellationToken);
            foreach (var receiptId in chunk)
            {
                byReceipt[receiptId] = (sent.Value.MessageId, sent.Value.PopReceipt);
            }
        }

        return byReceipt;
    }

    private async Task<ReceiptRecord> ToRecordAsync(ReceiptKey key, ValidatedReceipt receipt, string messageId, string? postedBy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var record = new ReceiptRecord
        {
            PartitionKey = key.PartitionKey,
            RowKey = key.RowKey,
            ChainId = receipt.ChainId,
            StoreId = receipt.StoreId,
            TerminalId = receipt.TerminalId,
            ReceiptNumber = receipt.ReceiptNumber,
            BusinessDate = receipt.BusinessDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            Type = receipt.Type,
            MemberId = receipt.MemberId,
            ContentHash = receipt.ContentHash,
            Status = ReceiptStatuses.Accepted,
            AcceptedAt = now,
            ScoringMessageId = messageId,
            PostedBy = postedBy,
        };

        if (receipt.CanonicalJson.Length <= ReceiptRecord.InlineBodyLimit)
        {
            record.Body = receipt.CanonicalJson;
            return record;
        }

        // Claim check: named by content, so two different bodies posted under one key never overwrite each other.
        var blobName = $"{key.ReceiptId}/{receipt.ContentHash}.json";
        try
        {
            await _bodies.GetBlobClient(blobName).UploadAsync(
                BinaryData.FromString(receipt.CanonicalJson),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken);
        }
        catch (RequestFailedException failure) when (failure.Status == 409)
        {
            // The same body is there already from an earlier attempt.
        }

        record.BodyBlob = blobName;
        return record;
    }

    /// <summary>
    /// Inserts the records, one entity-group transaction per chunk of a partition. A chunk that meets a
    /// stored receipt (a replay, or a concurrent post) fails whole; then one range query finds every
    /// stored receipt of the chunk and the rest is inserted in one more transaction. So replaying a
    /// stored batch costs about what storing it cost, instead of one transaction per receipt.
    /// </summary>
    /// <returns>The records that were already stored (by partition and row key), with what is stored.</returns>
    private async Task<Dictionary<string, StoredReceipt>> InsertAsync(List<(int Index, ReceiptRecord Record)> records, CancellationToken cancellationToken)
    {
        var existing = new Dictionary<string, StoredReceipt>(StringComparer.Ordinal);
        foreach (var partition in records.GroupBy(item => item.Record.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in TableTransactions.Chunk(partition.Select(item => item.Record), record => record.Body?.Length ?? 0))
            {
                var pending = chunk;
                while (pending.Count > 0)
                {
                    try
                    {
                        if (pending.Count == 1)
                        {
                            await _receipts.AddEntityAsync(pending[0], cancellationToken);
                        }
                        else
                        {
                            await _receipts.SubmitTransactionAsync(pending.Select(record => new TableTransactionAction(TableTransactionActionType.Add, record)), cancellationToken);
                        }

                        pending = [];
                    }
                    catch (RequestFailedException failure) when (failure.Status == 409)
                    {
                        // Every pass that gets here finds at least one receipt that another post stored,
                        // so the loop ends, at the latest when every receipt of the chunk is stored.
                        var stored = await FindStoredAsync(pending, cancellationToken);
                        foreach (var (key, receipt) in stored)
                        {
                            existing[key] = receipt;
                        }

                        pending = pending.Where(record => !stored.ContainsKey(record.RowKeyAndPartition())).ToList();
                    }
                }
            }
        }

        return existing;
    }

    /// <summary>The stored receipts among <paramref name="records"/> (all of one partition): a point read for one, one range query for more.</summary>
    private async Task<Dictionary<string, StoredReceipt>> FindStoredAsync(List<ReceiptRecord> records, CancellationToken cancellationToken)
    {
        string[] columns = [nameof(ReceiptRecord.ContentHash), nameof(ReceiptRecord.Status)];
        var found = new Dictionary<string, StoredReceipt>(StringComparer.Ordinal);
        if (records.Count == 1)
        {
            var one = await _receipts.GetEntityIfExistsAsync<ReceiptRecord>(records[0].PartitionKey, records[0].RowKey, select: columns, cancellationToken: cancellationToken);
            if (one.HasValue)
            {
                found[records[0].RowKeyAndPartition()] = new StoredReceipt(one.Value!.ContentHash, one.Value.Status);
            }

            return found;
        }

        // Table queries allow few comparisons per filter, so the chunk is asked for as one row key range;
        // receipts of other tills inside the range come back too and are passed over.
        var partitionKey = records[0].PartitionKey;
        var wanted = records.Select(record => record.RowKey).ToHashSet(StringComparer.Ordinal);
        var first = records.Select(record => record.RowKey).Min(StringComparer.Ordinal)!;
        var last = records.Select(record => record.RowKey).Max(StringComparer.Ordinal)!;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {first} and RowKey le {last}");
        await foreach (var stored in _receipts.QueryAsync<ReceiptRecord>(filter, select: [nameof(ReceiptRecord.RowKey), .. columns], cancellationToken: cancellationToken))
        {
            if (wanted.Contains(stored.RowKey))
            {
                found[ReceiptRecordKeys.RowKeyAndPartition(partitionKey, stored.RowKey)] = new StoredReceipt(stored.ContentHash, stored.Status);
            }
        }

        return found;
    }

    private async Task DeleteMessagesThatOwnNothingAsync(
        Dictionary<string, (string MessageId, string PopReceipt)> messages,
        List<(int Index, ReceiptRecord Record)> records,
        Dictionary<string, StoredReceipt> existing,
        CancellationToken cancellationToken)
    {
        var owning = records.Where(item => !existing.ContainsKey(item.Record.RowKeyAndPartition()))
            .Select(item => item.Record.ScoringMessageId)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (messageId, popReceipt) in messages.Values.Distinct())
        {
            if (!owning.Contains(messageId))
            {
                try
                {
                    await _queue.DeleteMessageAsync(messageId, popReceipt, cancellationToken);
                }
                catch (RequestFailedException failure) when (failure.Status == 404 || failure.ErrorCode == "PopReceiptMismatch")
                {
                    // A scorer has it already (404: it deleted it; 400 PopReceiptMismatch: it holds it, which
                    // changed the pop receipt). Either way the scorer finds the receipts owned by another
                    // message and drops it, so the post's answer does not depend on this delete.
                }
            }
        }
    }

    /// <summary>Splits ids so that each message stays well below the 64 KiB a queue message holds (activity intake uses it too).</summary>
    internal static IEnumerable<List<string>> ChunkByChars(IReadOnlyList<string> ids, int maxChars)
    {
        var chunk = new List<string>();
        var chars = 0;
        foreach (var id in ids)
        {
            if (chunk.Count > 0 && chars + id.Length + 3 > maxChars)
            {
                yield return chunk;
                chunk = [];
                chars = 0;
            }

            chunk.Add(id);
            chars += id.Length + 3;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }
}

/// <summary>What a stored receipt is, as far as a repost of its key needs to know.</summary>
internal sealed record StoredReceipt(string ContentHash, string Status);

internal static class ReceiptRecordKeys
{
    public static string RowKeyAndPartition(this ReceiptRecord record) => RowKeyAndPartition(record.PartitionKey, record.RowKey);

    public static string RowKeyAndPartition(string partitionKey, string rowKey) => partitionKey + "\n" + rowKey;
}
