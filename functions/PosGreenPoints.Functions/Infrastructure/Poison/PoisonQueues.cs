using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using PosGreenPoints.Contracts.Poison;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Activities;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Infrastructure.Poison;

/// <summary>
/// The operator's view of the poison queues, and the way back out of them. The host (or the local
/// runner) moves a message that failed its last delivery to <c>{queue}-poison</c>, copying only its
/// body; why it failed is on the receipts it names (<c>LastFailure</c>, written by the scorer).
/// </summary>
public sealed class PoisonQueues(QueueServiceClient queues, TableServiceClient tables, ActivityStore activities, StorageProvisioner provisioner, TimeProvider clock, ILogger<PoisonQueues> logger)
{
    public const string Suffix = "-poison";
    public const int SampleSize = 10;
    public const int MaxTextChars = 2048;

    /// <summary>How many receipts of one message are read for its failure reason (a batch names up to 500).</summary>
    private const int MaxReceiptsForReason = 10;

    /// <summary>Long enough to move one receive's messages; a crash leaves them to reappear for the next replay.</summary>
    private static readonly TimeSpan ReplayVisibility = TimeSpan.FromMinutes(5);

    private readonly TableClient _receipts = tables.GetTableClient(StorageNames.Tables.Receipts);

    public static string NameOf(string queue) => queue + Suffix;

    public async Task<PoisonReport> ReportAsync(CancellationToken cancellationToken)
    {
        var views = new List<PoisonQueueView>();
        foreach (var name in await PoisonQueueNamesAsync(cancellationToken))
        {
            views.Add(await ViewAsync(queues.GetQueueClient(name), cancellationToken));
        }

        return new PoisonReport(views);
    }

    /// <summary>
    /// Moves every message of a poison queue back to the queue it came from: send, hand the named
    /// receipts to the new message, then delete the poison copy. A crash between send and delete
    /// leaves the poison copy to be replayed again — a second send, which scoring tolerates: only the
    /// message a receipt names may score it, and a scored receipt is never scored again.
    /// </summary>
    /// <returns>Null when there is no such poison queue.</returns>
    public async Task<PoisonReplayResult?> ReplayAsync(string poisonQueue, CancellationToken cancellationToken)
    {
        if (!(await PoisonQueueNamesAsync(cancellationToken)).Contains(poisonQueue, StringComparer.Ordinal))
        {
            return null;
        }

        var source = queues.GetQueueClient(poisonQueue[..^Suffix.Length]);
        var poison = queues.GetQueueClient(poisonQueue);
        await source.CreateIfNotExistsAsync(cancellationToken: cancellationToken);

        // Messages that fail again while this runs land here anew; they wait for the next replay.
        var started = clock.GetUtcNow();
        var replayed = 0;
        while (true)
        {
            QueueMessage[] batch;
            try
            {
                batch = await poison.ReceiveMessagesAsync(32, ReplayVisibility, cancellationToken);
            }
            catch (RequestFailedException failure) when (failure.Status == 404)
            {
                // The app's own poison queue is listed before the host first creates it.
                batch = [];
            }

            if (batch.Length == 0)
            {
                break;
            }

            foreach (var message in batch)
            {
                if (message.InsertedOn > started)
                {
                    await poison.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: cancellationToken);
                    continue;
                }

                var sent = await source.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
                if (source.Name == StorageNames.Queues.ReceiptsToScore && ScoringMessageOf(message.Body) is { } scoring)
                {
                    await HandOverAsync(scoring.ReceiptIds, sent.Value.MessageId, cancellationToken);
                }

                await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                replayed++;
            }
        }

        logger.LogInformation("Replayed {Count} messages of {PoisonQueue} to {Queue}", replayed, poisonQueue, source.Name);
        return new PoisonReplayResult(poisonQueue, replayed);
    }

    /// <summary>Hands each receipt and activity of a replayed message, not yet scored, to its new id (<see cref="ScoringHandOver"/>).</summary>
    private async Task HandOverAsync(IReadOnlyList<string> receiptIds, string messageId, CancellationToken cancellationToken)
    {
        foreach (var receiptId in receiptIds.Distinct(StringComparer.Ordinal))
        {
            // The scoring queue carries activities too (activities.md); their table is the activity store's.
            if (ActivityKey.TryParse(receiptId, out var activity))
            {
                await activities.HandOverAsync(activity, messageId, cancellationToken);
                continue;
            }

            if (!ReceiptKey.TryParse(receiptId, out var key))
            {
                continue;
            }

            await ScoringHandOver.HandOverAsync(_receipts, key.PartitionKey, key.RowKey, messageId, cancellationToken);
        }
    }

    private async Task<PoisonQueueView> ViewAsync(QueueClient queue, CancellationToken cancellationToken)
    {
        int count;
        PeekedMessage[] peeked;
        try
        {
            count = (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
            peeked = await queue.PeekMessagesAsync(SampleSize, cancellationToken);
        }
        catch (RequestFailedException failure) when (failure.Status == 404)
        {
            return new PoisonQueueView(queue.Name, 0, []);
        }

        var oldest = new List<PoisonMessageView>();
        foreach (var message in peeked)
        {
            var scoring = queue.Name == NameOf(StorageNames.Queues.ReceiptsToScore) ? ScoringMessageOf(message.Body) : null;
            oldest.Add(new PoisonMessageView(
                message.MessageId,
                message.InsertedOn ?? DateTimeOffset.MinValue,
                message.DequeueCount,
                scoring is null ? null : await ReasonAsync(scoring.ReceiptIds, cancellationToken),
                // A scoring message names receipts only; another queue's body could hold anything.
                scoring is null ? null : Truncate(message.Body.ToString())));
        }

        return new PoisonQueueView(queue.Name, count, oldest);
    }

    private async Task<string?> ReasonAsync(IReadOnlyList<string> receiptIds, CancellationToken cancellationToken)
    {
        var reasons = new List<string>();
        foreach (var receiptId in receiptIds.Distinct(StringComparer.Ordinal).Take(MaxReceiptsForReason))
        {
            if (ActivityKey.TryParse(receiptId, out var activity))
            {
                if (await activities.FindAsync(activity, cancellationToken) is { LastFailure: { Length: > 0 } activityFailure })
                {
                    reasons.Add($"{receiptId}: {activityFailure}");
                }
            }
            else if (ReceiptKey.TryParse(receiptId, out var key)
                && await _receipts.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, select: [ReceiptRecord.ScoringColumns.LastFailure], cancellationToken: cancellationToken) is { HasValue: true } found
                && found.Value!.GetString(ReceiptRecord.ScoringColumns.LastFailure) is { Length: > 0 } failure)
            {
                reasons.Add($"{receiptId}: {failure}");
            }
        }

        return reasons.Count == 0 ? null : Truncate(string.Join("; ", reasons));
    }

    private async Task<List<string>> PoisonQueueNamesAsync(CancellationToken cancellationToken)
    {
        await provisioner.EnsureCreatedAsync(cancellationToken);

        // The app's own poison queue is listed even before anything failed, so an empty report says so.
        var names = new SortedSet<string>(StringComparer.Ordinal) { NameOf(StorageNames.Queues.ReceiptsToScore) };
        await foreach (var queue in queues.GetQueuesAsync(cancellationToken: cancellationToken))
        {
            if (queue.Name.EndsWith(Suffix, StringComparison.Ordinal))
            {
                names.Add(queue.Name);
            }
        }

        return names.ToList();
    }

    private static ScoringMessage? ScoringMessageOf(BinaryData body)
    {
        try
        {
            return JsonSerializer.Deserialize<ScoringMessage>(body, JsonSerializerOptions.Web) is { ReceiptIds.Count: > 0 } message ? message : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Truncate(string text) => text.Length <= MaxTextChars ? text : text[..MaxTextChars];
}
