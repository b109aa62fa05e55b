using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Points;

namespace PosGreenPoints.Functions.Receipts;

/// <summary>
/// What can be known about a return when it is posted (lists-and-rules.md, Returns): when its original
/// sale is stored, a line it does not have, a line of another GTIN or SKU, more than is left of a line
/// after the returns scored so far, or an amount above the original line's share for that quantity, is
/// a 400. What only shows later (two returns posted before either is scored) is left to
/// scoring, which never reverses more than was awarded and notes the over-return.
/// </summary>
public sealed class ReturnChecks(TableServiceClient tables, StorageProvisioner provisioner)
{
    private readonly ProvisionedTable _receipts = new(provisioner, tables, StorageNames.Tables.Receipts);

    /// <returns>Errors by JSON path, or null when nothing is wrong that can be seen now.</returns>
    public async Task<IDictionary<string, string[]>?> CheckAsync(ValidatedReceipt receipt, CancellationToken cancellationToken)
    {
        if (!receipt.IsReturn || receipt.OriginalKey is not { } key)
        {
            return null;
        }

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
        var taken = returned.ToDictionary(pair => pair.Key, pair => pair.Value);
        for (var index = 0; index < receipt.Lines.Count; index++)
        {
            var line = receipt.Lines[index];
            if (!original.TryGetValue(line.OriginalLineNumber!.Value, out var originalLine))
            {
                errors[$"lines[{index}].originalLineNumber"] = [$"the original receipt has no line {line.OriginalLineNumber}."];
                continue;
            }

            // A return line is the original line coming back: same product, at most its share of the price.
            if (line.Gtin14 != originalLine.Gtin14)
            {
                errors[$"lines[{index}].gtin"] = [$"must be the GTIN of original line {originalLine.LineNumber}."];
            }

            if (line.Sku != originalLine.Sku)
            {
                errors[$"lines[{index}].sku"] = [$"must be the SKU of original line {originalLine.LineNumber}."];
            }

            var before = taken.GetValueOrDefault(originalLine.LineNumber, new ReturnedLine(0m, 0));
            var left = originalLine.Quantity - before.Quantity;
            if (line.Quantity > left)
            {
                errors[$"lines[{index}].quantity"] = [$"only {left.ToString(CultureInfo.InvariantCulture)} of original line {originalLine.LineNumber} is left to return."];
                continue;
            }

            var bound = PointsCalculator.ReturnableAmount(originalLine.Amount, originalLine.Quantity, before.Quantity + line.Quantity, before.Amount);
            if (line.Amount > bound)
            {
                errors[$"lines[{index}].amount"] = [$"must be at most {bound.ToString("0.00", CultureInfo.InvariantCulture)}, original line {originalLine.LineNumber}'s amount for the quantity returned."];
            }

            taken[originalLine.LineNumber] = before with { Quantity = before.Quantity + line.Quantity, Amount = before.Amount + line.Amount };
        }

        return errors.Count > 0 ? errors : null;
    }
}
