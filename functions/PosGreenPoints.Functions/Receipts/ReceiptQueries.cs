using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Settlement;

namespace PosGreenPoints.Functions.Receipts;

/// <summary>Reads a receipt's status for <c>GET /api/v1/receipts/{receiptId}</c>.</summary>
public sealed class ReceiptQueries(TableServiceClient tables, StorageProvisioner provisioner, MemberPseudonyms pseudonyms)
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
        return found.HasValue ? ToView(key.ReceiptId, found.Value!, caller) : null;
    }

    /// <summary>
    /// The member id is shown only to operators and to the client that posted the receipt (api.md); a
    /// chain's other keys see the settlement pseudonym, so they can match the receipt to its rows.
    /// </summary>
    private ReceiptStatusView ToView(string receiptId, TableEntity record, Caller caller)
    {
        var memberId = record.GetString(nameof(ReceiptRecord.MemberId));
        var showsMember = caller.Role == Role.Operator || caller.ClientId == record.GetString(nameof(ReceiptRecord.PostedBy));
        var chainId = record.GetString(nameof(ReceiptRecord.ChainId));
        return ToView(receiptId, record) with
        {
            MemberId = showsMember ? memberId : null,
            MemberRef = memberId is null ? null : pseudonyms.Of(chainId, memberId),
        };
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
