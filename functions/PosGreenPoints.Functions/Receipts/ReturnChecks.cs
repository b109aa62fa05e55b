using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Points;

namespace PosGreenPoints.Functions.Receipts;

/// <summary>
/// What can be known about a return when it is posted (lists-and-rules.md, Returns): when its original
/// sale is stored, a line it does not have, or more than is left of a line after the returns scored so
/// far, is a 400. What only shows later (two returns posted before either is scored) is left to
/// scoring, which never reverses more than was awarded and notes the over-return.
/// </summary>
public sealed class ReturnChecks(TableServiceClient tables, StorageProvisioner provisioner)
{
    private readonly ProvisionedTable _receipts = new(provisioner, tables, StorageNames.Tables.Receipts);

    /// <returns>Errors by JSON path, or null when nothing is wrong that can be seen now.</returns>
    public async Task<IDictionary<string, string[]>?> CheckAsync(ValidatedReceipt receipt, CancellationToken cancellationToken)
    {
        if (!receipt.IsReturn || receipt.OriginalReceipt is not { } reference)
        {
            return null;
        }

        var key = new ReceiptKey(receipt.ChainId, reference.StoreId, reference.BusinessDate, reference.TerminalId, reference.ReceiptNumber);
        var table = await _receipts.GetAsync(cancellationToken);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
        if (!found.HasValue || found.Value!.GetString(nameof(ReceiptRecord.Type)) != ReceiptTypes.Sale || found.Value.GetString(nameof(ReceiptRecord.Body)) is not { } body)
        {
            // Not stored (scored later as original-not-found), or a claim-checked body: not worth a blob read here.
            return null;
        }

        var original = ValidatedReceipt.FromCanonicalJson(body).Lines.ToDictionary(line => line.LineNumber);
        var returned = LongText.Get(found.Value, "Returns") is { } state
            ? JsonSerializer.Deserialize<ReturnsState>(state, JsonSerializerOptions.Web)!.Lines
            : ReturnsState.None.Lines;
        var errors = new Dictionary<string, string[]>();
        for (var index = 0; index < receipt.Lines.Count; index++)
        {
            var line = receipt.Lines[index];
            if (!original.TryGetValue(line.OriginalLineNumber!.Value, out var originalLine))
            {
                errors[$"lines[{index}].originalLineNumber"] = [$"the original receipt has no line {line.OriginalLineNumber}."];
                continue;
            }

            var left = originalLine.Quantity - (returned.TryGetValue(originalLine.LineNumber, out var earlier) ? earlier.Quantity : 0m);
            if (line.Quantity > left)
            {
                errors[$"lines[{index}].quantity"] = [$"only {left.ToString(CultureInfo.InvariantCulture)} of original line {originalLine.LineNumber} is left to return."];
            }
        }

        return errors.Count > 0 ? errors : null;
    }
}
