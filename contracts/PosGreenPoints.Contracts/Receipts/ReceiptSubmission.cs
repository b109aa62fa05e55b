namespace PosGreenPoints.Contracts.Receipts;

/// <summary>The body of <c>POST /api/v1/receipts</c>: one sale or return receipt as a till sends it.</summary>
/// <param name="ChainId">The retail chain; it must be registered. 1–64 characters of <c>[A-Za-z0-9._-]</c>.</param>
/// <param name="StoreId">1–64 characters of <c>[A-Za-z0-9._-]</c>.</param>
/// <param name="TerminalId">1–64 characters of <c>[A-Za-z0-9._-]</c>.</param>
/// <param name="ReceiptNumber">1–64 characters of <c>[A-Za-z0-9._-]</c>.</param>
/// <param name="IssuedAt">RFC 3339 with an explicit offset; at most 10 minutes ahead and not older than the configured maximum age.</param>
/// <param name="Currency">Always <c>CNY</c>.</param>
/// <param name="Type">One of <see cref="ReceiptTypes"/>.</param>
/// <param name="MemberId">The loyalty member, if the customer identified; 1–64 characters of <c>[A-Za-z0-9_-]</c>.</param>
/// <param name="OriginalReceipt">The sale a return refers to; required on a return, not allowed on a sale.</param>
/// <param name="Lines">1–500 lines.</param>
/// <param name="Total">The sum of the lines' amounts, exact to the fen.</param>
public sealed record ReceiptSubmission(
    string ChainId,
    string StoreId,
    string TerminalId,
    string ReceiptNumber,
    DateTimeOffset IssuedAt,
    string Currency,
    string Type,
    string? MemberId,
    OriginalReceiptReference? OriginalReceipt,
    IReadOnlyList<ReceiptLineSubmission> Lines,
    decimal Total);

/// <summary>One line of a <see cref="ReceiptSubmission"/>. It names its product by GTIN, SKU or both.</summary>
/// <param name="LineNumber">A positive integer, unique within the receipt.</param>
/// <param name="Gtin">GTIN-8, -12, -13 or -14 with a valid check digit.</param>
/// <param name="Sku">The chain's own article number, 1–64 printable characters.</param>
/// <param name="Description">At most 200 characters.</param>
/// <param name="Quantity">Greater than 0, at most 3 decimals; positive on a return too.</param>
/// <param name="UnitPrice">At least 0, at most 2 decimals.</param>
/// <param name="Discount">At least 0, at most 2 decimals.</param>
/// <param name="Amount">round(quantity × unitPrice, 2, half away from zero) − discount; at least 0.</param>
/// <param name="OriginalLineNumber">On a return: the line of the original sale being returned.</param>
public sealed record ReceiptLineSubmission(
    int LineNumber,
    string? Gtin,
    string? Sku,
    string? Description,
    decimal Quantity,
    decimal UnitPrice,
    decimal Discount,
    decimal Amount,
    int? OriginalLineNumber);

/// <summary>The sale a return refers to, in the same chain.</summary>
public sealed record OriginalReceiptReference(
    string StoreId,
    string TerminalId,
    string ReceiptNumber,
    DateTimeOffset IssuedAt);
