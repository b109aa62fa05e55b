using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Points;

/// <summary>
/// One posting of the points ledger: a qualifying line of a scored receipt (an award) or of a return (a
/// reversal). Postings are what settlement files are made of.
/// </summary>
public sealed class LedgerPosting : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ChainId { get; set; } = "";
    public string PostingDate { get; set; } = "";
    public string BusinessDate { get; set; } = "";
    public string StoreId { get; set; } = "";
    public string TerminalId { get; set; } = "";
    public string ReceiptNumber { get; set; } = "";
    public string ReceiptId { get; set; } = "";
    public string ReceiptType { get; set; } = "";
    public string? MemberId { get; set; }
    public int LineNumber { get; set; }
    public string? Gtin { get; set; }
    public string? ProductName { get; set; }

    /// <summary><c>;</c>-joined list ids, in list id order.</summary>
    public string MatchedLists { get; set; } = "";

    public string? CertificateNumber { get; set; }

    /// <summary><c>;</c>-joined list versions, in list id order.</summary>
    public string ListVersions { get; set; } = "";

    /// <summary>Signed, exactly two decimals, as text: a table has no decimal type and money is never a double.</summary>
    public string QualifyingAmount { get; set; } = "";

    public long Points { get; set; }
    public string RulesVersion { get; set; } = "";
}

/// <summary>
/// The ledger table. One partition per chain and posting day, because that is what a settlement file
/// reads; row keys sort as the file does (store, terminal, receipt number, line number, receipt id),
/// so settlement streams a partition in key order and never sorts in memory. The separator '!' sorts
/// below every character an id may have, so "SH-1" comes before "SH-10" as in an ordinal comparison.
/// A row's key names its receipt and line, so writing a posting again replaces it: postings are
/// written idempotently.
/// </summary>
public sealed class Ledger(TableServiceClient tables, StorageProvisioner provisioner)
{
    private readonly ProvisionedTable _table = new(provisioner, tables, StorageNames.Tables.Ledger);

    public static string PartitionKeyOf(string chainId, DateOnly postingDate) =>
        $"{chainId}!{postingDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";

    public static string RowKeyOf(ReceiptKey receipt, int lineNumber) =>
        RowKeyOf(receipt.StoreId, receipt.TerminalId, receipt.ReceiptNumber, lineNumber, receipt.ReceiptId);

    /// <summary>The key of any posting, a receipt line's or an activity's (whose number is its activity id, line 1).</summary>
    public static string RowKeyOf(string storeId, string terminalId, string receiptNumber, int lineNumber, string receiptId) =>
        string.Join('!', storeId, terminalId, receiptNumber, lineNumber.ToString("D6", CultureInfo.InvariantCulture), receiptId);

    /// <summary>Writes (or rewrites, identically) postings: one transaction per day partition and 100 postings.</summary>
    public async Task WriteAsync(IReadOnlyList<LedgerPosting> postings, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        foreach (var partition in postings.GroupBy(posting => posting.PartitionKey, StringComparer.Ordinal))
        {
            foreach (var chunk in TableTransactions.Chunk(partition, posting => posting.ProductName?.Length ?? 0))
            {
                await table.SubmitTransactionAsync(chunk.Select(posting => new TableTransactionAction(TableTransactionActionType.UpsertReplace, posting)), cancellationToken);
            }
        }
    }

    /// <summary>Whether any posting of the receipt exists on the day: used only on the rare path of a decision that outlived its day.</summary>
    public async Task<bool> HasPostingAsync(string chainId, DateOnly postingDate, string rowKey, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKeyOf(chainId, postingDate), rowKey, select: ["PartitionKey"], cancellationToken: cancellationToken);
        return found.HasValue;
    }

    /// <summary>The postings of one chain and day in file order, streamed.</summary>
    public async IAsyncEnumerable<LedgerPosting> ReadDayAsync(string chainId, DateOnly postingDate, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var partitionKey = PartitionKeyOf(chainId, postingDate);
        await foreach (var posting in table.QueryAsync<LedgerPosting>(posting => posting.PartitionKey == partitionKey, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            yield return posting;
        }
    }
}
