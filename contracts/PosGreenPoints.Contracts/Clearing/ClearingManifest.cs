namespace PosGreenPoints.Contracts.Clearing;

/// <summary>
/// The manifest of one chain's clearing day (clearing.md, "Files"): what the chain is owed and owes each
/// other chain for the day, its informational point counts, its liability at the end of the day, and the
/// CSV file these figures are the sums of. Amounts are decimal strings with exactly two decimals.
/// </summary>
/// <param name="SchemaVersion">The manifest format; 1.</param>
/// <param name="ClearingDate">The clearing day: the postings' instants in <paramref name="TimeZone"/>.</param>
/// <param name="TimeZone">The scheme's clearing time zone (<c>Clearing:TimeZone</c>).</param>
/// <param name="Counterparties">Per other chain with a row, in chain id order: what it owes this chain, what this chain owes it, and the difference.</param>
/// <param name="Receivable">The sum of the positive <c>amount</c> cells.</param>
/// <param name="Payable">The sum of the negative <c>amount</c> cells, as a positive number.</param>
/// <param name="Net">Receivable less payable: the sum of the <c>amount</c> column.</param>
/// <param name="PointsIssued">Points of the lots this chain issued that day (awards, operator credits).</param>
/// <param name="PointsRedeemedHere">Points redeemed at this chain that day, whatever their issuer, less those refunded.</param>
/// <param name="PointsExpired">Points of this chain's lots that expired that day.</param>
/// <param name="OutstandingPoints">The remaining points of the unexpired lots this chain issued, at the end of the day: its liability.</param>
/// <param name="OutstandingValue">Those points at the rules' value of a point.</param>
/// <param name="RowCount">The CSV's rows, without the header.</param>
/// <param name="GeneratedAt">When the file was first generated, in the clearing zone.</param>
public sealed record ClearingManifest(
    int SchemaVersion,
    string ChainId,
    DateOnly ClearingDate,
    string TimeZone,
    IReadOnlyList<ClearingCounterparty> Counterparties,
    string Receivable,
    string Payable,
    string Net,
    long PointsIssued,
    long PointsRedeemedHere,
    long PointsExpired,
    long OutstandingPoints,
    string OutstandingValue,
    int RowCount,
    ClearingFile File,
    DateTimeOffset GeneratedAt);

/// <summary>One other chain's share of a clearing day, from this chain's side.</summary>
/// <param name="ChainId">The counterparty.</param>
/// <param name="Receivable">What the counterparty owes this chain (its payable to this chain).</param>
/// <param name="Payable">What this chain owes the counterparty (its receivable from this chain).</param>
/// <param name="Net">Receivable less payable.</param>
public sealed record ClearingCounterparty(string ChainId, string Receivable, string Payable, string Net);

/// <summary>The clearing CSV a manifest describes.</summary>
/// <param name="Name">The file name, <c>{chainId}-{yyyyMMdd}.clearing.csv</c>.</param>
/// <param name="Bytes">The file's length in bytes, the BOM included.</param>
/// <param name="Sha256">The SHA-256 of the file's bytes, as lowercase hex.</param>
public sealed record ClearingFile(string Name, long Bytes, string Sha256);

/// <summary>
/// The scheme's clearing day (clearing.md, "The scheme report"): every chain's net, whose sum
/// <paramref name="TotalNet"/> is exactly <c>0.00</c>, and the scheme's liability at the end of the day.
/// </summary>
/// <param name="Chains">Every chain with a file that day, in chain id order.</param>
/// <param name="TotalNet">The sum of the chains' nets: always <c>0.00</c>.</param>
/// <param name="OutstandingPoints">The sum of the chains' outstanding points.</param>
/// <param name="OutstandingValue">The sum of the chains' outstanding values.</param>
public sealed record ClearingReport(
    DateOnly ClearingDate,
    IReadOnlyList<ClearingReportChain> Chains,
    string TotalNet,
    long OutstandingPoints,
    string OutstandingValue);

/// <summary>One chain's figures of a clearing day, as in its manifest.</summary>
public sealed record ClearingReportChain(string ChainId, string Net, string Receivable, string Payable);
