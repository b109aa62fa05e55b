namespace PosGreenPoints.Contracts.Receipts;

/// <summary>The answer to a batch: one result per posted receipt, in input order.</summary>
public sealed record BatchResult(IReadOnlyList<BatchItemResult> Results);

/// <summary>What became of one receipt of a batch.</summary>
/// <param name="Index">The receipt's 0-based position in the posted <c>receipts</c> array.</param>
/// <param name="ReceiptId">The stored receipt's id; absent when rejected.</param>
/// <param name="Status">One of <see cref="BatchItemStatuses"/>.</param>
/// <param name="Errors">Why it was rejected, by JSON path within that receipt (<c>lines[2].gtin</c>); absent otherwise.</param>
public sealed record BatchItemResult(int Index, string? ReceiptId, string Status, IReadOnlyDictionary<string, string[]>? Errors = null);

/// <summary>The values of a <see cref="BatchItemResult"/>'s <c>status</c>.</summary>
public static class BatchItemStatuses
{
    public const string Accepted = "accepted";
    public const string Duplicate = "duplicate";
    public const string Rejected = "rejected";
}
