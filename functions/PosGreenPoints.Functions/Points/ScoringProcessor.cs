using System.Text.Json;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Points;

/// <summary>
/// Handles one scoring message: scores its receipts (several at once), hands returns that wait for
/// their original to a later message, and fails the message — so the host delivers it again — when any
/// receipt failed. On the last delivery the host allows, the failed receipts are marked failed with the
/// reason, so that the status API tells an operator what the poison queue holds.
/// </summary>
public sealed class ScoringProcessor(ReceiptScorer scorer, IOptions<ScoringOptions> options, HostQueueSettings host, ILogger<ScoringProcessor> logger)
{
    public async Task ProcessAsync(QueueMessage message, CancellationToken cancellationToken)
    {
        ScoringMessage? scoring;
        try
        {
            scoring = JsonSerializer.Deserialize<ScoringMessage>(message.Body, JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            scoring = null;
        }

        if (scoring?.ReceiptIds is not { Count: > 0 } receiptIds)
        {
            logger.LogWarning("Scoring message {MessageId} is not a scoring message; dropped", message.MessageId);
            return;
        }

        var waiting = new List<string>();
        var failures = new List<(string ReceiptId, Exception Failure)>();
        var insertedAt = message.InsertedOn ?? DateTimeOffset.MinValue;
        await Parallel.ForEachAsync(
            receiptIds.Distinct(StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = cancellationToken },
            async (receiptId, token) =>
            {
                try
                {
                    if (await scorer.ScoreAsync(receiptId, message.MessageId, insertedAt, token) == ScoringResult.WaitingForOriginal)
                    {
                        lock (waiting)
                        {
                            waiting.Add(receiptId);
                        }
                    }
                }
                catch (Exception failure) when (failure is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    lock (failures)
                    {
                        failures.Add((receiptId, failure));
                    }
                }
            });

        if (waiting.Count > 0)
        {
            await scorer.RequeueWaitingAsync(waiting, message.MessageId, cancellationToken);
        }

        if (failures.Count == 0)
        {
            return;
        }

        var final = message.DequeueCount >= host.MaxDequeueCount;
        foreach (var (receiptId, failure) in failures)
        {
            logger.LogError(failure, "Scoring receipt {ReceiptId} failed (delivery {DequeueCount} of {MaxDequeueCount})", receiptId, message.DequeueCount, host.MaxDequeueCount);
            await scorer.RecordFailureAsync(receiptId, $"{failure.GetType().Name}: {failure.Message}", final, cancellationToken);
        }

        throw new AggregateException($"Scoring failed for {failures.Count} of {receiptIds.Count} receipts of message {message.MessageId}.", failures.Select(item => item.Failure));
    }
}

/// <summary>
/// The queue settings of host.json that the app must agree with: on the delivery numbered
/// <see cref="MaxDequeueCount"/> a failure sends the message to the poison queue.
/// </summary>
public sealed record HostQueueSettings(int MaxDequeueCount)
{
    public static HostQueueSettings Read(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(path))
        {
            return new HostQueueSettings(5);
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("queues", out var queues)
            && queues.TryGetProperty("maxDequeueCount", out var count)
            && count.TryGetInt32(out var value)
                ? new HostQueueSettings(value)
                : new HostQueueSettings(5);
    }
}
