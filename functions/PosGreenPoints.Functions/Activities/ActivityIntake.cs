using System.Text.Json;
using Azure;
using Azure.Storage.Queues;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Activities;

/// <summary>
/// Stores valid activities and queues them for scoring, exactly once per natural key, in the receipts'
/// order (docs/decisions.md, "Storage order"): one scoring message for the request first, then the
/// inserts (an entity-group transaction per partition, each naming that message), then the answer. So an
/// acknowledged activity is stored and has a message; a crash in between leaves at most a message naming
/// nothing, which the scorer drops. Of concurrent posts of one key exactly one insert succeeds; the others
/// find it (same content hash: duplicate; other: conflict) and delete their message when it owns nothing.
/// Activities share the receipts' scoring queue: their ids cannot be mistaken for receipt ids
/// (<see cref="ActivityKey"/>), and one queue function scores both.
/// </summary>
/// <remarks>The outcomes are the receipts' <see cref="IntakeOutcome"/>, whose id is here the activity's id.</remarks>
public sealed class ActivityIntake(ActivityStore store, QueueServiceClient queues, StorageProvisioner provisioner, TimeProvider clock)
{
    private readonly QueueClient _queue = queues.GetQueueClient(StorageNames.Queues.ReceiptsToScore);

    public async Task<IReadOnlyList<IntakeOutcome>> AcceptAsync(IReadOnlyList<ValidatedActivity> activities, string? postedBy, CancellationToken cancellationToken)
    {
        await provisioner.EnsureCreatedAsync(cancellationToken);
        var outcomes = new IntakeOutcome?[activities.Count];

        // The same key twice in one request: the first one stands for both.
        var firstIndexById = new Dictionary<string, int>(StringComparer.Ordinal);
        var toStore = new List<(int Index, ValidatedActivity Activity)>();
        for (var index = 0; index < activities.Count; index++)
        {
            if (firstIndexById.TryAdd(activities[index].Key.Id, index))
            {
                toStore.Add((index, activities[index]));
            }
        }

        var messages = new Dictionary<string, (string MessageId, string PopReceipt)>(StringComparer.Ordinal);
        var traceparent = Infrastructure.Telemetry.PosGreenPointsTelemetry.CurrentTraceparent();
        foreach (var chunk in ReceiptIntake.ChunkByChars(toStore.Select(item => item.Activity.Key.Id).ToList(), ReceiptIntake.MaxMessageIdChars))
        {
            var sent = await _queue.SendMessageAsync(JsonSerializer.Serialize(new ScoringMessage(chunk, traceparent), JsonSerializerOptions.Web), cancellationToken);
            foreach (var id in chunk)
            {
                messages[id] = (sent.Value.MessageId, sent.Value.PopReceipt);
            }
        }

        var now = clock.GetUtcNow();
        var records = toStore.Select(item => (item.Index, Record: ActivityRecord.Of(item.Activity, messages[item.Activity.Key.Id].MessageId, postedBy, now))).ToList();
        var existing = await store.InsertAsync(records.Select(item => item.Record).ToList(), cancellationToken);
        foreach (var (index, record) in records)
        {
            var id = record.Key.Id;
            outcomes[index] = existing.TryGetValue(id, out var stored)
                ? stored.ContentHash == record.ContentHash
                    ? new IntakeOutcome.Duplicate(id, stored.Status)
                    : new IntakeOutcome.Conflict(id)
                : new IntakeOutcome.Accepted(id);
        }

        var owning = records.Where(item => !existing.ContainsKey(item.Record.Key.Id)).Select(item => item.Record.ScoringMessageId).ToHashSet(StringComparer.Ordinal);
        foreach (var (messageId, popReceipt) in messages.Values.Distinct().Where(message => !owning.Contains(message.MessageId)))
        {
            try
            {
                await _queue.DeleteMessageAsync(messageId, popReceipt, cancellationToken);
            }
            catch (RequestFailedException failure) when (failure.Status == 404 || failure.ErrorCode == "PopReceiptMismatch")
            {
                // A scorer has it already; it finds the activities owned by another message and drops it.
            }
        }

        for (var index = 0; index < activities.Count; index++)
        {
            if (outcomes[index] is null)
            {
                var firstIndex = firstIndexById[activities[index].Key.Id];
                var first = outcomes[firstIndex]!;
                outcomes[index] = activities[index].ContentHash == activities[firstIndex].ContentHash
                    ? new IntakeOutcome.Duplicate(first.ReceiptId, first is IntakeOutcome.Duplicate duplicate ? duplicate.Status : ReceiptStatuses.Accepted)
                    : new IntakeOutcome.Conflict(first.ReceiptId);
            }
        }

        return outcomes!;
    }
}
