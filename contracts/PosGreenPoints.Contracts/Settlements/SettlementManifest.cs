namespace PosGreenPoints.Contracts.Settlements;

/// <summary>
/// The manifest of one chain's settlement day (settlement.md): the totals of its CSV file and the file's
/// hash, so that a chain can check the file it downloads and recompute every figure from it.
/// </summary>
/// <param name="SchemaVersion">The manifest format; 1.</param>
/// <param name="PostingDate">The settlement day: the date the postings were written, in the chain's time zone.</param>
/// <param name="TimeZone">The chain's IANA time zone that dates the postings.</param>
/// <param name="RowCount">The CSV's rows, without the header: one per posted qualifying line.</param>
/// <param name="ReceiptCount">The distinct receipts with at least one row.</param>
/// <param name="QualifyingAmount">The sum of the rows' qualifying amounts, signed, as a decimal string with exactly two decimals (<c>123456.78</c>).</param>
/// <param name="PointsAwarded">The sum of the positive rows' points.</param>
/// <param name="PointsReversed">The sum of the negative rows' points, as a positive number.</param>
/// <param name="NetPoints">Awarded minus reversed: the sum of the <c>points</c> column.</param>
/// <param name="Stores">The same totals per store, in <c>storeId</c> order.</param>
/// <param name="File">The CSV file these totals describe.</param>
/// <param name="RulesVersions">The points rules versions the postings were computed under.</param>
/// <param name="GeneratedAt">When the file was generated.</param>
public sealed record SettlementManifest(
    int SchemaVersion,
    string ChainId,
    DateOnly PostingDate,
    string TimeZone,
    int RowCount,
    int ReceiptCount,
    string QualifyingAmount,
    long PointsAwarded,
    long PointsReversed,
    long NetPoints,
    IReadOnlyList<StoreSettlement> Stores,
    SettlementFile File,
    IReadOnlyList<string> RulesVersions,
    DateTimeOffset GeneratedAt);

/// <summary>One store's share of a settlement day.</summary>
/// <param name="RowCount">The store's rows in the CSV.</param>
/// <param name="QualifyingAmount">The sum of the store's qualifying amounts, as a decimal string with exactly two decimals.</param>
/// <param name="NetPoints">The sum of the store's points, signed.</param>
public sealed record StoreSettlement(string StoreId, int RowCount, string QualifyingAmount, long NetPoints);

/// <summary>The settlement CSV a manifest describes.</summary>
/// <param name="Name">The file name, <c>{chainId}-{yyyyMMdd}.csv</c>.</param>
/// <param name="Bytes">The file's length in bytes, the BOM included.</param>
/// <param name="Sha256">The SHA-256 of the file's bytes, as lowercase hex.</param>
public sealed record SettlementFile(string Name, long Bytes, string Sha256);
