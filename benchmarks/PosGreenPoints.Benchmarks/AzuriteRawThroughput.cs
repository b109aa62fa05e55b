using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Benchmarks;

/// <summary>One raw measurement: operations per second, and Azurite's processor time meanwhile as a share of the time (1 = one core).</summary>
internal sealed record RawRate(double PerSecond, double Processor)
{
    /// <summary>
    /// Azurite's processor time per operation. Not the time between operations: on a machine shared with
    /// other work Azurite waits for a processor, which says nothing about what an operation costs it.
    /// </summary>
    public double Seconds => Processor / PerSecond;

    /// <summary>What one fully used processor would give Azurite (which does its work on one thread).</summary>
    public double PerCore => PerSecond / Processor;
}

/// <summary>Raw queue operations, measured while Azurite held <paramref name="HeldMessages"/> messages in all its queues.</summary>
internal sealed record QueueRates(RawRate Put, RawRate Get, RawRate Delete, long HeldMessages);

/// <summary>Raw table and blob operations; <paramref name="TransactionBytes"/> is the body size of one raw transaction.</summary>
internal sealed record StoreRates(RawRate TableInsert, RawRate TableRead, RawRate Transaction, double TransactionBytes, RawRate BlobPut);

/// <summary>
/// Azurite's raw throughput with plain SDK clients for the operations the app sends: queue put, get and
/// delete, a single entity insert and point read, an entity-group transaction of 100 inserts, and a
/// small blob put. Each kind runs for a fixed time from a fixed number of concurrent callers.
/// </summary>
internal static class AzuriteRawThroughput
{
    public const int TransactionSize = 100;

    public const int BlobBytes = 2 * 1024;

    /// <summary>About the canonical body of a sample receipt (the samples average 865 bytes), which the app stores inline.</summary>
    private static readonly string ReceiptBody = new('x', 900);

    /// <summary>
    /// Azurite keeps the messages of all queues in one collection and scans it to receive or delete one,
    /// so these rates hold only for the number of messages it holds now; the queue measured is deleted
    /// afterwards, leaving that number as it was.
    /// </summary>
    public static async Task<QueueRates> MeasureQueuesAsync(CountedAzurite azurite, int callers, TimeSpan duration)
    {
        var queues = azurite.Fixture.Queues;
        var held = 0L;
        await foreach (var existing in queues.GetQueuesAsync())
        {
            held += (await queues.GetQueueClient(existing.Name).GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }

        var queue = queues.GetQueueClient("raw-" + Guid.NewGuid().ToString("N")[..8]);
        await queue.CreateAsync();
        try
        {
            var message = JsonSerializer.Serialize(
                new ScoringMessage(["raw-chain~SH-0001~20261125~POS-01~20261125-000001"], "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
                JsonSerializerOptions.Web);
            var put = await MeasureAsync(azurite, callers, duration, async _ =>
            {
                await queue.SendMessageAsync(message);
                return true;
            });

            var received = new ConcurrentQueue<(string Id, string PopReceipt)>();
            var get = await MeasureAsync(azurite, callers, duration, async _ =>
            {
                var got = (await queue.ReceiveMessageAsync(TimeSpan.FromMinutes(10))).Value;
                if (got is null)
                {
                    return false;
                }

                received.Enqueue((got.MessageId, got.PopReceipt));
                return true;
            });

            var delete = await MeasureAsync(azurite, callers, duration, async _ =>
            {
                if (!received.TryDequeue(out var taken))
                {
                    return false;
                }

                await queue.DeleteMessageAsync(taken.Id, taken.PopReceipt);
                return true;
            });

            return new QueueRates(put, get, delete, held);
        }
        finally
        {
            await queue.DeleteAsync();
        }
    }

    public static async Task<StoreRates> MeasureStoresAsync(CountedAzurite azurite, int callers, TimeSpan duration)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var sequence = 0L;
        string Next() => Interlocked.Increment(ref sequence).ToString("D10", CultureInfo.InvariantCulture);

        var table = azurite.Fixture.Tables.GetTableClient("raw" + run);
        await table.CreateAsync();
        var inserted = new ConcurrentQueue<(string PartitionKey, string RowKey)>();
        var insert = await MeasureAsync(azurite, callers, duration, async caller =>
        {
            var entity = ReceiptLike($"single-{caller}", Next());
            await table.AddEntityAsync(entity);
            inserted.Enqueue((entity.PartitionKey, entity.RowKey));
            return true;
        });

        var keys = inserted.ToArray();
        var read = await MeasureAsync(azurite, callers, duration, async _ =>
        {
            var (partitionKey, rowKey) = keys[Random.Shared.Next(keys.Length)];
            await table.GetEntityAsync<TableEntity>(partitionKey, rowKey);
            return true;
        });

        var before = await azurite.SnapshotAsync();
        var transaction = await MeasureAsync(azurite, callers, duration, async caller =>
        {
            var partitionKey = $"batch-{caller}";
            await table.SubmitTransactionAsync(Enumerable.Range(0, TransactionSize)
                .Select(_ => new TableTransactionAction(TableTransactionActionType.Add, ReceiptLike(partitionKey, Next()))));
            return true;
        });
        var transactions = (await azurite.SnapshotAsync()).Since(before);

        var container = azurite.Fixture.Blobs.GetBlobContainerClient("raw-" + run);
        await container.CreateAsync();
        var blob = BinaryData.FromBytes(new byte[BlobBytes]);
        var blobPut = await MeasureAsync(azurite, callers, duration, async _ =>
        {
            await container.GetBlobClient(Next()).UploadAsync(blob, overwrite: true);
            return true;
        });

        return new StoreRates(insert, read, transaction, transactions.Of("table", AzuriteSnapshot.BatchBytes) / (double)transactions.Of("table", "$batch"), blobPut);
    }

    /// <summary>
    /// The processor seconds Azurite would need, at its raw cost per operation, for the requests counted in
    /// <paramref name="usage"/>: each request priced by the raw operation of its kind (a query as a point read, any other
    /// single-entity write as an insert). An entity-group transaction costs a fixed part and a part that
    /// grows with its body, priced on the line through a single insert (one entity's bytes) and the raw
    /// transaction of 100, because the app's transactions hold from one entity to a hundred.
    /// </summary>
    public static double SecondsFor(AzuriteUsage usage, QueueRates queues, StoreRates stores)
    {
        var entityBytes = stores.TransactionBytes / TransactionSize;
        var perByte = Math.Max(0, (stores.Transaction.Seconds - stores.TableInsert.Seconds) / (stores.TransactionBytes - entityBytes));
        var perTransaction = Math.Max(0, stores.TableInsert.Seconds - (perByte * entityBytes));
        var seconds = 0.0;
        foreach (var ((service, kind), count) in usage.Counts)
        {
            seconds += count * (service, kind) switch
            {
                (_, AzuriteSnapshot.BatchBytes) => perByte,
                ("table", "$batch") => perTransaction,
                ("table", "GET") => stores.TableRead.Seconds,
                ("table", _) => stores.TableInsert.Seconds,
                ("queue", "POST") => queues.Put.Seconds,
                ("queue", "GET") => queues.Get.Seconds,
                ("queue", _) => queues.Delete.Seconds,
                _ => stores.BlobPut.Seconds,
            };
        }

        return seconds;
    }

    /// <summary>
    /// Runs <paramref name="operation"/> from <paramref name="callers"/> concurrent loops for <paramref name="duration"/>,
    /// or until it answers false (nothing left to do).
    /// </summary>
    private static async Task<RawRate> MeasureAsync(CountedAzurite azurite, int callers, TimeSpan duration, Func<int, Task<bool>> operation)
    {
        // The first calls of a kind pay for this process's JIT and connections, not for Azurite.
        for (var warmUp = 0; warmUp < 10 && await operation(0); warmUp++)
        {
        }

        var before = await azurite.SnapshotAsync();
        var clock = Stopwatch.StartNew();
        var done = await Task.WhenAll(Enumerable.Range(0, callers).Select(async caller =>
        {
            var count = 0L;
            while (clock.Elapsed < duration && await operation(caller))
            {
                count++;
            }

            return count;
        }));
        var elapsed = clock.Elapsed;
        var usage = (await azurite.SnapshotAsync()).Since(before);
        return new RawRate(done.Sum() / elapsed.TotalSeconds, usage.Processor);
    }

    /// <summary>An entity shaped like a stored receipt: its key parts, hash, status and inline body.</summary>
    private static TableEntity ReceiptLike(string partitionKey, string rowKey) => new(partitionKey, rowKey)
    {
        ["ChainId"] = "raw-chain",
        ["StoreId"] = "SH-0001",
        ["TerminalId"] = "POS-01",
        ["ReceiptNumber"] = rowKey,
        ["BusinessDate"] = "2026-11-25",
        ["Type"] = "sale",
        ["MemberId"] = "BM000001",
        ["ContentHash"] = new string('0', 64),
        ["Body"] = ReceiptBody,
        ["Status"] = "accepted",
        ["AcceptedAt"] = DateTimeOffset.UtcNow,
        ["ScoringMessageId"] = Guid.NewGuid().ToString(),
    };
}
