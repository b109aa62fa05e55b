using System.Globalization;
using System.Text.Json;
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
        var found = await _receipts.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
        return found.HasValue ? ToView(key.ReceiptId, found.Value!) : null;
    }

    private static ReceiptStatusView ToView(string receiptId, TableEntity record) => new(
        receiptId,
        record.GetString(nameof(ReceiptRecord.ChainId)),
        record.GetString(nameof(ReceiptRecord.StoreId)),
        record.GetString(nameof(ReceiptRecord.TerminalId)),
        record.GetString(nameof(ReceiptRecord.ReceiptNumber)),
        DateOnly.ParseExact(record.GetString(nameof(ReceiptRecord.BusinessDate)), "yyyy-MM-dd", CultureInfo.InvariantCulture),
        record.GetString(nameof(ReceiptRecord.Type)),
        record.GetString(nameof(ReceiptRecord.MemberId)),
        record.GetString(nameof(ReceiptRecord.Status)),
        record.GetInt64(nameof(ReceiptRecord.Points)),
        LongText.Get(record, nameof(ReceiptRecord.ScoredLines)) is { } lines ? JsonSerializer.Deserialize<List<ReceiptLineStatusView>>(lines, JsonSerializerOptions.Web) : null,
        record.GetString(nameof(ReceiptRecord.Notes)) is { } notes ? JsonSerializer.Deserialize<List<string>>(notes, JsonSerializerOptions.Web) ?? [] : [],
        record.GetDateTimeOffset(nameof(ReceiptRecord.ScoredAt)));
}
