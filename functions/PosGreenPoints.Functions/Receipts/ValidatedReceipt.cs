using System.Security.Cryptography;
using System.Text;
using PosGreenPoints.Contracts.Receipts;

namespace PosGreenPoints.Functions.Receipts;

/// <summary>
/// A receipt that passed every rule of the contract, with typed values: what intake stores and scoring reads.
/// Two receipts are equal when their <see cref="CanonicalJson"/> is.
/// </summary>
/// <param name="BusinessDate"><see cref="IssuedAt"/> as a date in the chain's time zone.</param>
/// <param name="Type">One of <see cref="ReceiptTypes"/>.</param>
/// <param name="OriginalReceipt">The sale a return refers to; null on a sale.</param>
/// <param name="Lines">In the order they were posted.</param>
public sealed record ValidatedReceipt(
    string ChainId,
    string StoreId,
    string TerminalId,
    string ReceiptNumber,
    DateTimeOffset IssuedAt,
    DateOnly BusinessDate,
    string Currency,
    string Type,
    string? MemberId,
    ValidatedOriginalReceipt? OriginalReceipt,
    IReadOnlyList<ValidatedReceiptLine> Lines,
    decimal Total)
{
    private string? _canonicalJson;
    private string? _contentHash;

    // A `with` expression copies through here; the cached forms describe the old values, so they stay behind.
    private ValidatedReceipt(ValidatedReceipt original)
    {
        ChainId = original.ChainId;
        StoreId = original.StoreId;
        TerminalId = original.TerminalId;
        ReceiptNumber = original.ReceiptNumber;
        IssuedAt = original.IssuedAt;
        BusinessDate = original.BusinessDate;
        Currency = original.Currency;
        Type = original.Type;
        MemberId = original.MemberId;
        OriginalReceipt = original.OriginalReceipt;
        Lines = original.Lines;
        Total = original.Total;
    }

    public bool IsReturn => Type == ReceiptTypes.Return;

    /// <summary>The key of the sale a return names (same chain); null on a sale.</summary>
    public ReceiptKey? OriginalKey => OriginalReceipt is { } reference
        ? new ReceiptKey(ChainId, reference.StoreId, reference.BusinessDate, reference.TerminalId, reference.ReceiptNumber)
        : null;

    /// <summary>
    /// The receipt in one fixed form (fixed property order, no whitespace, money with two decimals,
    /// quantities without trailing zeros, GTINs in 14 digits): however a client formats a receipt, the
    /// same content gives the same text. It is what intake stores as the receipt's body.
    /// </summary>
    public string CanonicalJson => _canonicalJson ??= ReceiptCanonicalJson.Write(this);

    /// <summary>Lowercase hex SHA-256 of the UTF-8 <see cref="CanonicalJson"/>: equal for a repost of the same receipt, different for changed content.</summary>
    public string ContentHash => _contentHash ??= Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalJson)));

    /// <summary>Reads back what <see cref="CanonicalJson"/> wrote.</summary>
    /// <exception cref="FormatException">The text is not a canonical receipt.</exception>
    public static ValidatedReceipt FromCanonicalJson(string canonicalJson) => ReceiptCanonicalJson.Read(canonicalJson);

    public bool Equals(ValidatedReceipt? other) =>
        other is not null && (ReferenceEquals(this, other) || string.Equals(CanonicalJson, other.CanonicalJson, StringComparison.Ordinal));

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ContentHash);
}

/// <summary>One line of a <see cref="ValidatedReceipt"/>; quantities and amounts are positive on a return too.</summary>
/// <param name="Gtin14">The GTIN in its 14-digit form; null when the line names only a SKU.</param>
/// <param name="Amount">round(quantity × unitPrice, 2) − discount, checked to the fen.</param>
/// <param name="OriginalLineNumber">On a return, the line of the original sale; null on a sale.</param>
public sealed record ValidatedReceiptLine(
    int LineNumber,
    string? Gtin14,
    string? Sku,
    string? Description,
    decimal Quantity,
    decimal UnitPrice,
    decimal Discount,
    decimal Amount,
    int? OriginalLineNumber);

/// <summary>The sale a return refers to, in the return's chain.</summary>
/// <param name="BusinessDate">The original's <see cref="IssuedAt"/> as a date in the chain's time zone, so that with the other fields it is the original's natural key.</param>
public sealed record ValidatedOriginalReceipt(
    string StoreId,
    string TerminalId,
    string ReceiptNumber,
    DateTimeOffset IssuedAt,
    DateOnly BusinessDate);
