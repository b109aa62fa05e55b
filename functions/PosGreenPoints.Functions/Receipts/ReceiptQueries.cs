using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Infrastructure.Auth;

namespace PosGreenPoints.Functions.Receipts;

/// <summary>Reads a receipt's status for <c>GET /api/v1/receipts/{receiptId}</c>.</summary>
public sealed class ReceiptQueries(TableServiceClient tables, StorageProvisioner provisioner)
{
    private readonly TableClient _receipts = tables.GetTableClient(StorageNames.Tables.Receipts);

    /// <returns>
    /// The receipt, or <c>null</c> when the id is not a receipt id, no such receipt exists, or its chain is
    /// outside the caller's scope: the three are indistinguishable to the caller, so a key cannot probe
    /// another chain's receipts.
    /// </returns>
    public async Task<ReceiptStatusView?> FindAsync(string receiptId, Caller caller, CancellationToken cancellationToken)
    {
        if (!ReceiptKey.TryParse(receiptId, out var key) || !caller.CanAccessChain(key.ChainId))
        {
            return null;
        }

        await provisioner.EnsureCreatedAsync(cancellationToken);
        var found = await _receipts.GetEntityIfExistsAsync<ReceiptRecord>(key.PartitionKey, key.RowKey,
            select: [
                nameof(ReceiptRecord.ChainId), nameof(ReceiptRecord.StoreId), nameof(ReceiptRecord.TerminalId),
                nameof(ReceiptRecord.ReceiptNumber), nameof(ReceiptRecord.BusinessDate), nameof(ReceiptRecord.Type),
                nameof(ReceiptRecord.MemberId), nameof(ReceiptRecord.Status), nameof(ReceiptRecord.Points),
                nameof(ReceiptRecord.ScoredLines), nameof(ReceiptRecord.Notes), nameof(ReceiptRecord.ScoredAt),
            ],
            cancellationToken: cancellationToken);
        return found.HasValue ? ToView(key.ReceiptId, found.Value!) : null;
    }

    private static ReceiptStatusView ToView(string receiptId, ReceiptRecord record) => new(
        receiptId,
        record.ChainId,
        record.StoreId,
        record.TerminalId,
        record.ReceiptNumber,
        DateOnly.ParseExact(record.BusinessDate, "yyyy-MM-dd", CultureInfo.InvariantCulture),
        record.Type,
        record.MemberId,
        record.Status,
        record.Points,
        record.ScoredLines is null ? null : JsonSerializer.Deserialize<List<ReceiptLineStatusView>>(record.ScoredLines, JsonSerializerOptions.Web),
        record.Notes is null ? [] : JsonSerializer.Deserialize<List<string>>(record.Notes, JsonSerializerOptions.Web) ?? [],
        record.ScoredAt);
}
