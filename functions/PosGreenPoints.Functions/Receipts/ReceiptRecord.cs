using Azure;
using Azure.Data.Tables;

namespace PosGreenPoints.Functions.Receipts;

/// <summary>A stored receipt: its natural key, its body (inline or by claim check), and its status.</summary>
public sealed class ReceiptRecord : ITableEntity
{
    /// <summary>
    /// Bodies up to this many characters are stored in the entity (a table string holds 32 K UTF-16
    /// characters, and an entity-group transaction 4 MiB); larger ones go to a blob, named here.
    /// </summary>
    public const int InlineBodyLimit = 16 * 1024;

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ChainId { get; set; } = "";
    public string StoreId { get; set; } = "";
    public string TerminalId { get; set; } = "";
    public string ReceiptNumber { get; set; } = "";
    public string BusinessDate { get; set; } = "";
    public string Type { get; set; } = "";
    public string? MemberId { get; set; }

    /// <summary>SHA-256 of the canonical body: a repost with the same hash is a duplicate, with another a conflict.</summary>
    public string ContentHash { get; set; } = "";

    public string? Body { get; set; }
    public string? BodyBlob { get; set; }

    public string Status { get; set; } = "";
    public DateTimeOffset AcceptedAt { get; set; }

    /// <summary>The client id of the key that posted the receipt (not part of its content: a re-post by another key is a duplicate).</summary>
    public string? PostedBy { get; set; }

    /// <summary>The id of the queue message that owns this receipt's scoring.</summary>
    public string ScoringMessageId { get; set; } = "";

    /// <summary>The receipt's points once scored; negative for a return.</summary>
    public long? Points { get; set; }

    /// <summary>The scored lines as JSON (<c>ReceiptLineStatusView[]</c>): what earned each point, and from which list version.</summary>
    public string? ScoredLines { get; set; }

    /// <summary>The scoring notes as a JSON array of strings.</summary>
    public string? Notes { get; set; }

    public DateTimeOffset? ScoredAt { get; set; }

    /// <summary>
    /// Columns that scoring writes through a <see cref="TableEntity"/> rather than this type: long text
    /// spread over numbered properties (<c>LongText</c>), or written only under an ETag by a merge.
    /// </summary>
    public static class ScoringColumns
    {
        /// <summary>The scoring decision of a receipt without a member (a member's is on its marker).</summary>
        public const string Decision = "Decision";

        /// <summary>On a sale: what its returns took back, and their decisions (<c>ReturnsState</c>).</summary>
        public const string Returns = "Returns";

        /// <summary>On a return: how often it has waited for its sale.</summary>
        public const string ReturnWaits = "ReturnWaits";

        /// <summary>Why scoring last failed, for the operator.</summary>
        public const string LastFailure = "LastFailure";
    }
}
