namespace PosGreenPoints.Contracts.Receipts;

/// <summary>The body of <c>POST /api/v1/receipts/batch</c>: 1–500 receipts, each validated on its own.</summary>
public sealed record BatchSubmission(IReadOnlyList<ReceiptSubmission> Receipts);
