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
    private const int MaxMessageIdChars = 40 * 1024;

    private readonly TableClient _receipts = tables.GetTableClient(StorageNames.Tables.Receipts);
    private readonly QueueClient _queue = queues.GetQueueClient(StorageNames.Queues.ReceiptsToScore);
    private readonly BlobContainerClient _bodies = blobs.GetBlobContainerClient(StorageNames.Containers.Receipts);

    public async Task<IReadOnlyList<IntakeOutcome>> AcceptAsync(IReadOnlyList<ValidatedReceipt> receipts, CancellationToken cancellationToken)
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
            records.Add((index, await ToRecordAsync(key, receipt, messages[key.ReceiptId].MessageId, now, cancellationToken)));
        }

        var existing = await InsertAsync(records, cancellationToken);
        foreach (var (index, record) in records)
        {
            outcomes[index] = existing.Contains(record.RowKeyAndPartition())
                ? await CompareWithStoredAsync(record, cancellationToken)
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

    private async Task<ReceiptRecord> ToRecordAsync(ReceiptKey key, ValidatedReceipt receipt, string messageId, DateTimeOffset now, CancellationToken cancellationToken)
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

    /// <returns>The records that were already stored (by partition and row key).</returns>
    private async Task<HashSet<string>> InsertAsync(List<(int Index, ReceiptRecord Record)> records, CancellationToken cancellationToken)
    {
        var existing = new HashSet<string>(StringComparer.Ordinal);
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
                    catch (RequestFailedException failure) when (failure.Status == 409 && pending.Count == 1)
                    {
                        existing.Add(pending[0].RowKeyAndPartition());
                        pending = [];
                    }
                    catch (TableTransactionFailedException failure) when (failure.Status == 409 && failure.FailedTransactionActionIndex is int failedIndex)
                    {
                        // A transaction fails whole: set the stored one aside and insert the rest again.
                        existing.Add(pending[failedIndex].RowKeyAndPartition());
                        pending = pending.Where((_, index) => index != failedIndex).ToList();
                    }
                }
            }
        }

        return existing;
    }

    private async Task<IntakeOutcome> CompareWithStoredAsync(ReceiptRecord record, CancellationToken cancellationToken)
    {
        var stored = (await _receipts.GetEntityAsync<ReceiptRecord>(record.PartitionKey, record.RowKey,
            select: [nameof(ReceiptRecord.ContentHash), nameof(ReceiptRecord.Status)], cancellationToken: cancellationToken)).Value;
        var receiptId = ReceiptIdOf(record);
        return stored.ContentHash == record.ContentHash
            ? new IntakeOutcome.Duplicate(receiptId, stored.Status)
            : new IntakeOutcome.Conflict(receiptId);
    }

    private async Task DeleteMessagesThatOwnNothingAsync(
        Dictionary<string, (string MessageId, string PopReceipt)> messages,
        List<(int Index, ReceiptRecord Record)> records,
        HashSet<string> existing,
        CancellationToken cancellationToken)
    {
        var owning = records.Where(item => !existing.Contains(item.Record.RowKeyAndPartition()))
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
                catch (RequestFailedException failure) when (failure.Status == 404)
                {
                    // Already taken by a scorer, which skipped it: nothing to do.
                }
            }
        }
    }

    private static IEnumerable<List<string>> ChunkByChars(IReadOnlyList<string> ids, int maxChars)
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

internal static class ReceiptRecordKeys
{
    public static string RowKeyAndPartition(this ReceiptRecord record) => record.PartitionKey + "\n" + record.RowKey;
}
