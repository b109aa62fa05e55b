using System.Globalization;
using PosGreenPoints.Contracts;

namespace PosGreenPoints.Functions.Receipts;

/// <summary>
/// A receipt's natural key (chain, store, terminal, receipt number, business date) and the receipt id
/// made from it. The id is the key itself, <c>{chain}~{store}~{yyyyMMdd}~{terminal}~{number}</c>: every
/// retry of a post computes the same id, which is what makes idempotency a single conditional insert,
/// and the table keys follow from it without a lookup. '~' cannot occur in the parts (they are
/// [A-Za-z0-9._-]) and is safe in URLs and table keys.
/// </summary>
public sealed record ReceiptKey(string ChainId, string StoreId, DateOnly BusinessDate, string TerminalId, string ReceiptNumber)
{
    private const char Separator = '~';

    public string ReceiptId => string.Join(Separator, ChainId, StoreId, BusinessDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture), TerminalId, ReceiptNumber);

    /// <summary>One partition per chain, store and business day: a till's batch shares it, so its inserts go in entity-group transactions, and no partition is hot for long.</summary>
    public string PartitionKey => string.Join(Separator, ChainId, StoreId, BusinessDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture));

    public string RowKey => string.Join(Separator, TerminalId, ReceiptNumber);

    public static bool TryParse(string? receiptId, out ReceiptKey key)
    {
        key = null!;
        var parts = receiptId?.Split(Separator);
        if (parts is not { Length: 5 }
            || !parts.All(Ids.IsId)
            || !DateOnly.TryParseExact(parts[2], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var businessDate))
        {
            return false;
        }

        key = new ReceiptKey(parts[0], parts[1], businessDate, parts[3], parts[4]);
        return true;
    }
}
