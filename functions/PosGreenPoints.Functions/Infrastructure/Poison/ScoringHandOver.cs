using Azure;
using Azure.Data.Tables;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Infrastructure.Poison;

/// <summary>
/// The scorer only scores an item from the message its row names, and a replayed poison message has a new
/// id: each item not yet scored is handed to it (a failed one set back to accepted) under its ETag, so that
/// exactly one message owns it. Receipts' and activities' rows share these scoring columns by design
/// (activities go through the receipts' states), so one hand-over serves both tables.
/// </summary>
internal static class ScoringHandOver
{
    public static async Task HandOverAsync(TableClient table, string partitionKey, string rowKey, string messageId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, select: [nameof(ReceiptRecord.Status)], cancellationToken: cancellationToken);
            if (!found.HasValue || found.Value!.GetString(nameof(ReceiptRecord.Status)) == ReceiptStatuses.Scored)
            {
                return;
            }

            var update = new TableEntity(partitionKey, rowKey)
            {
                [nameof(ReceiptRecord.ScoringMessageId)] = messageId,
                [nameof(ReceiptRecord.Status)] = ReceiptStatuses.Accepted,
                [nameof(ReceiptRecord.Notes)] = "[]",
            };
            try
            {
                await table.UpdateEntityAsync(update, found.Value.ETag, TableUpdateMode.Merge, cancellationToken);
                return;
            }
            catch (RequestFailedException failure) when (failure.Status == 412)
            {
                // A scorer wrote it meanwhile: look again.
            }
        }
    }
}
