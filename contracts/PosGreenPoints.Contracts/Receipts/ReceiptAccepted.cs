namespace PosGreenPoints.Contracts.Receipts;

/// <summary>
/// The answer to a stored receipt: the body of a 202 for a new receipt, and of a 200 for a repost of the
/// same receipt with the same content.
/// </summary>
/// <param name="ReceiptId">The id to read the receipt by.</param>
/// <param name="Status">One of <see cref="ReceiptStatuses"/>: <c>accepted</c> for a new receipt, the current status for a duplicate.</param>
/// <param name="StatusUrl">Where to read the receipt (<c>GET /api/v1/receipts/{receiptId}</c>).</param>
/// <param name="Duplicate"><c>true</c> for a repost; null, and so absent, for a new receipt.</param>
public sealed record ReceiptAccepted(string ReceiptId, string Status, string StatusUrl, bool? Duplicate = null);
