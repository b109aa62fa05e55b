namespace PosGreenPoints.Contracts.Receipts;

/// <summary>The values of a stored receipt's <c>status</c>.</summary>
public static class ReceiptStatuses
{
    /// <summary>Stored and queued, not scored yet.</summary>
    public const string Accepted = "accepted";

    /// <summary>Points are computed and posted.</summary>
    public const string Scored = "scored";

    /// <summary>Scoring gave up; the receipt waits for an operator to replay it.</summary>
    public const string Failed = "failed";
}
