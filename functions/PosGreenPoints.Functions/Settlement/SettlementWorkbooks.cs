using System.Globalization;
using PosGreenPoints.Contracts.Settlements;
using PosGreenPoints.Functions.Workbooks;

namespace PosGreenPoints.Functions.Settlement;

/// <summary>
/// The settlement day as a workbook (settlement.md, "For spreadsheets"), rendered from the published CSV the
/// first time it is asked for and kept beside it (<see cref="CachedWorkbooks"/>). Sheets <c>postings</c> (the
/// CSV's rows, typed, with a totals row), <c>stores</c> and <c>summary</c> (the manifest).
/// </summary>
public sealed class SettlementWorkbooks(SettlementStore store, CachedWorkbooks cache)
{
    /// <summary>
    /// Part of the cached blob's name: a change to what the workbook holds bumps it, so that workbooks of
    /// the old layout are no longer served (they cannot be replaced in place, as the blob is written once).
    /// </summary>
    public const int LayoutVersion = 1;

    private static readonly Dictionary<string, ColumnTyping> Typing = new(StringComparer.Ordinal)
    {
        ["posting_date"] = new(CellKind.Text, Width: 12),
        ["business_date"] = new(CellKind.Text, Width: 12),
        ["receipt_id"] = new(CellKind.Text, Width: 42),
        ["member_ref"] = new(CellKind.Text, Width: 34),
        ["line_number"] = new(CellKind.WholeNumber, Width: 8),
        ["gtin"] = new(CellKind.Text, Width: 16),
        ["product_name"] = new(CellKind.Text, Width: 30),
        ["matched_lists"] = new(CellKind.Text, Width: 26),
        ["list_versions"] = new(CellKind.Text, Width: 26),
        ["qualifying_amount"] = new(CellKind.Money, Totalled: true, Width: 16),
        ["points"] = new(CellKind.WholeNumber, Totalled: true, Width: 10),
    };

    /// <summary>Every column of the CSV: ids, GTINs and dates as text, amounts with two decimals, points and line numbers as integers.</summary>
    public static readonly IReadOnlyList<WorkbookColumn> Columns = CsvWorkbook.Columns(SettlementCsv.Columns, Typing);

    public static string FileName(string chainId, DateOnly postingDate) =>
        Path.ChangeExtension(SettlementCsv.FileName(chainId, postingDate), ".xlsx");

    public static string BlobPath(string chainId, DateOnly postingDate) =>
        Path.ChangeExtension(SettlementStore.CsvPath(chainId, postingDate), $".v{LayoutVersion}.xlsx");

    public static WorkbookLayout Layout(SettlementManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var stores = manifest.Stores
            .Select(store => (IReadOnlyList<WorkbookCell>)[WorkbookCell.Text(store.StoreId), WorkbookCell.WholeNumber(store.RowCount), WorkbookCell.Money(store.QualifyingAmount), WorkbookCell.WholeNumber(store.NetPoints)])
            .Append([WorkbookCell.Text("total"), WorkbookCell.WholeNumber(manifest.RowCount), WorkbookCell.Money(manifest.QualifyingAmount), WorkbookCell.WholeNumber(manifest.NetPoints)])
            .ToList();
        return new WorkbookLayout(
            "postings",
            Columns,
            [
                new WorkbookSheet("stores", ["store_id", "row_count", "qualifying_amount", "net_points"], stores),
                WorkbookSheet.Summary(
                [
                    ("schemaVersion", WorkbookCell.WholeNumber(manifest.SchemaVersion)),
                    ("chainId", WorkbookCell.Text(manifest.ChainId)),
                    ("postingDate", WorkbookCell.Text(manifest.PostingDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))),
                    ("timeZone", WorkbookCell.Text(manifest.TimeZone)),
                    ("rowCount", WorkbookCell.WholeNumber(manifest.RowCount)),
                    ("receiptCount", WorkbookCell.WholeNumber(manifest.ReceiptCount)),
                    ("qualifyingAmount", WorkbookCell.Money(manifest.QualifyingAmount)),
                    ("pointsAwarded", WorkbookCell.WholeNumber(manifest.PointsAwarded)),
                    ("pointsReversed", WorkbookCell.WholeNumber(manifest.PointsReversed)),
                    ("netPoints", WorkbookCell.WholeNumber(manifest.NetPoints)),
                    ("file.name", WorkbookCell.Text(manifest.File.Name)),
                    ("file.bytes", WorkbookCell.WholeNumber(manifest.File.Bytes)),
                    ("file.sha256", WorkbookCell.Text(manifest.File.Sha256)),
                    ("rulesVersions", WorkbookCell.Text(string.Join(';', manifest.RulesVersions))),
                    ("generatedAt", WorkbookCell.Text(manifest.GeneratedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture))),
                ]),
            ]);
    }

    /// <summary>Renders the workbook of <paramref name="csv"/>, the file <paramref name="manifest"/> describes, checking its rows and totals against the manifest's.</summary>
    /// <exception cref="InvalidDataException">The CSV is not the one the manifest describes.</exception>
    public static Task<WorkbookTotals> RenderAsync(Stream csv, SettlementManifest manifest, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var amount = decimal.Parse(manifest.QualifyingAmount, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        return CsvWorkbook.RenderCheckedAsync(
            csv, Layout(manifest), destination, manifest.GeneratedAt, $"of {manifest.ChainId} for {manifest.PostingDate:yyyy-MM-dd}", manifest.RowCount,
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["qualifying_amount"] = amount, ["points"] = manifest.NetPoints },
            cancellationToken);
    }

    /// <returns>The day's workbook, streamed from its blob (rendered first if it is not there yet); <c>null</c> when the day is not settled yet.</returns>
    public async Task<PublishedFile?> OpenAsync(string chainId, DateOnly postingDate, CancellationToken cancellationToken)
    {
        if (await store.GetManifestAsync(chainId, postingDate, cancellationToken) is not { } manifest)
        {
            return null;
        }

        return await cache.OpenAsync(
            new WorkbookSource(
                "Settlement", chainId, postingDate, manifest.RowCount, await store.ContainerAsync(cancellationToken),
                SettlementStore.CsvPath(chainId, postingDate), manifest.File.Sha256, BlobPath(chainId, postingDate), FileName(chainId, postingDate),
                (csv, destination, token) => RenderAsync(csv, manifest, destination, token)),
            cancellationToken);
    }
}
