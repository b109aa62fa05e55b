using System.Text.Json;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Logging;
using PosGreenPoints.Functions.Activities;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Infrastructure.Poison;
using PosGreenPoints.Functions.Infrastructure.Telemetry;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Points;

/// <summary>
/// Handles one scoring message: scores its receipts (several at once), hands returns that wait for
/// their original to a later message, and fails the message — so the host delivers it again — when any
/// receipt failed. On the last delivery the host allows, the failed receipts are marked failed with the
/// reason, so that the status API tells an operator what the poison queue holds. Activities share the
/// queue: their ids (<see cref="ActivityKey"/>) go to <see cref="ActivityScorer"/>, by the same steps.
/// </summary>
public sealed class ScoringProcessor(ReceiptScorer scorer, ActivityScorer activities, HostQueueSettings host, ILogger<ScoringProcessor> logger)
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

        using var activity = PosGreenPointsTelemetry.StartConsumer("score receipts", scoring.Traceparent);
        activity?.SetTag("messaging.message.id", message.MessageId);
        activity?.SetTag("messaging.message.delivery_count", message.DequeueCount);
        activity?.SetTag("posgreenpoints.receipt_count", receiptIds.Count);
        var owner = scoring.OwnerMessageId ?? message.MessageId;
        var firstSentAt = scoring.FirstSentAt ?? message.InsertedOn ?? DateTimeOffset.MinValue;
        var activityIds = receiptIds.Where(ActivityKey.IsActivityId).ToList();
        var scored = await scorer.ScoreAsync(receiptIds.Where(id => !ActivityKey.IsActivityId(id)).ToList(), owner, firstSentAt, cancellationToken);
        if (activityIds.Count > 0)
        {
            var scoredActivities = await activities.ScoreAsync(activityIds, owner, firstSentAt, cancellationToken);
            scored = new BatchScoring(
                scored.Results.Concat(scoredActivities.Results).ToDictionary(StringComparer.Ordinal),
                scored.Failures.Concat(scoredActivities.Failures).ToDictionary(StringComparer.Ordinal));
        }

        var waiting = scored.Results.Where(pair => pair.Value == ScoringResult.WaitingForOriginal).Select(pair => pair.Key).ToList();
        if (waiting.Count > 0)
        {
            await scorer.RequeueWaitingAsync(waiting, owner, cancellationToken);
        }

        // A receipt whose post is still storing it (or died before it could): asked for again later under
        // the same owner, rather than failing the message towards the poison queue long before
        // Scoring:OrphanAfter has passed.
        var notStoredYet = scored.Failures.Where(pair => pair.Value is ReceiptNotStoredYetException).Select(pair => pair.Key).ToList();
        if (notStoredYet.Count > 0)
        {
            await scorer.RequeueNotStoredYetAsync(notStoredYet, owner, firstSentAt, cancellationToken);
        }

        var failures = scored.Failures.Where(pair => pair.Value is not ReceiptNotStoredYetException).Select(pair => (ReceiptId: pair.Key, Failure: pair.Value)).ToList();

        if (failures.Count == 0)
        {
            return;
        }

        var final = message.DequeueCount >= host.MaxDequeueCount;
        var reasons = new List<string>();
        foreach (var (receiptId, failure) in failures)
        {
            // The exception itself is neither logged nor rethrown (the host logs what the function
            // throws): a storage failure's message holds the request URL, which names the member when
            // the Members table failed.
            var reason = LogRedaction.Describe(failure);
            reasons.Add($"{receiptId}: {reason}");
            logger.LogError("Scoring receipt {ReceiptId} failed (delivery {DequeueCount} of {MaxDequeueCount}): {Reason}\n{StackTrace}",
                receiptId, message.DequeueCount, host.MaxDequeueCount, reason, failure.StackTrace);
            await (ActivityKey.IsActivityId(receiptId)
                ? activities.RecordFailureAsync(receiptId, reason, final, cancellationToken)
                : scorer.RecordFailureAsync(receiptId, reason, final, cancellationToken));
        }

        if (final)
        {
            // The host moves the message to the poison queue after this throw, out of the app's sight;
            // this is the last moment the app knows it, so the poison metric is counted here.
            PosGreenPointsTelemetry.PoisonMessage(PoisonQueues.NameOf(StorageNames.Queues.ReceiptsToScore));
        }

        activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, $"{failures.Count} receipts failed");

        throw new InvalidOperationException($"Scoring failed for {failures.Count} of {receiptIds.Count} receipts of message {message.MessageId}: {string.Join("; ", reasons)}");
    }
}

/// <summary>
/// The queue settings of host.json that the app must agree with: on the delivery numbered
/// <see cref="MaxDequeueCount"/> a failure sends the message to the poison queue.
/// </summary>
public sealed record HostQueueSettings(int MaxDequeueCount)
{
    /// <summary>The host's default when host.json does not set it.</summary>
    public const int HostDefaultMaxDequeueCount = 5;

    /// <summary>
    /// Reads host.json beside the app. A missing or unreadable file fails start-up: the host would run
    /// with settings the app cannot see, and a wrong count marks receipts failed too early or never.
    /// </summary>
    public static HostQueueSettings Read(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"host.json is missing from the app's folder; the app cannot know its queue settings without it.");
        }

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("queues", out var queues)
            && queues.TryGetProperty("maxDequeueCount", out var count)
            && count.TryGetInt32(out var value)
                ? new HostQueueSettings(value)
                : new HostQueueSettings(HostDefaultMaxDequeueCount);
    }
}
