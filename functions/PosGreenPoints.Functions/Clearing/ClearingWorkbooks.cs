using System.Globalization;
using PosGreenPoints.Contracts.Clearing;
using PosGreenPoints.Functions.Workbooks;

namespace PosGreenPoints.Functions.Clearing;

/// <summary>
/// A chain's clearing day as a workbook (settlement.md, "For spreadsheets": clearing files have the same
/// <c>?format=xlsx</c>), rendered and kept as settlement's are (<see cref="CachedWorkbooks"/>). Sheets
/// <c>entries</c> (the CSV's rows, typed, with a totals row), <c>counterparties</c> and <c>summary</c> (the manifest).
/// </summary>
public sealed class ClearingWorkbooks(ClearingStore store, CachedWorkbooks cache)
{
    /// <summary>Part of the cached blob's name: a change to what the workbook holds bumps it.</summary>
    public const int LayoutVersion = 1;

    private static readonly Dictionary<string, ColumnTyping> Typing = new(StringComparer.Ordinal)
    {
        ["clearing_date"] = new(CellKind.Text, Width: 12),
        ["reference"] = new(CellKind.Text, Width: 42),
        ["lot_id"] = new(CellKind.Text, Width: 42),
        ["member_ref"] = new(CellKind.Text, Width: 34),
        ["points"] = new(CellKind.WholeNumber, Totalled: true, Width: 10),
        ["yuan_per_point"] = new(CellKind.Money, Width: 10),
        ["amount"] = new(CellKind.Money, Totalled: true, Width: 14),
    };

    /// <summary>Every column of the CSV: ids and dates as text, amounts with two decimals, points as integers.</summary>
    public static readonly IReadOnlyList<WorkbookColumn> Columns = CsvWorkbook.Columns(ClearingCsv.Columns, Typing);

    public static string FileName(string chainId, DateOnly day) => Path.ChangeExtension(ClearingCsv.FileName(chainId, day), ".xlsx");

    public static string BlobPath(string chainId, DateOnly day) => Path.ChangeExtension(ClearingStore.CsvPath(chainId, day), $".v{LayoutVersion}.xlsx");

    public static WorkbookLayout Layout(ClearingManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var counterparties = manifest.Counterparties
            .Select(counterparty => (IReadOnlyList<WorkbookCell>)[WorkbookCell.Text(counterparty.ChainId), WorkbookCell.Money(counterparty.Receivable), WorkbookCell.Money(counterparty.Payable), WorkbookCell.Money(counterparty.Net)])
            .Append([WorkbookCell.Text("total"), WorkbookCell.Money(manifest.Receivable), WorkbookCell.Money(manifest.Payable), WorkbookCell.Money(manifest.Net)])
            .ToList();
        return new WorkbookLayout(
            "entries",
            Columns,
            [
                new WorkbookSheet("counterparties", ["counterparty_chain_id", "receivable", "payable", "net"], counterparties),
                WorkbookSheet.Summary(
                [
                    ("schemaVersion", WorkbookCell.WholeNumber(manifest.SchemaVersion)),
                    ("chainId", WorkbookCell.Text(manifest.ChainId)),
                    ("clearingDate", WorkbookCell.Text(manifest.ClearingDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))),
                    ("timeZone", WorkbookCell.Text(manifest.TimeZone)),
                    ("receivable", WorkbookCell.Money(manifest.Receivable)),
                    ("payable", WorkbookCell.Money(manifest.Payable)),
                    ("net", WorkbookCell.Money(manifest.Net)),
                    ("pointsIssued", WorkbookCell.WholeNumber(manifest.PointsIssued)),
                    ("pointsRedeemedHere", WorkbookCell.WholeNumber(manifest.PointsRedeemedHere)),
                    ("pointsExpired", WorkbookCell.WholeNumber(manifest.PointsExpired)),
                    ("outstandingPoints", WorkbookCell.WholeNumber(manifest.OutstandingPoints)),
                    ("outstandingValue", WorkbookCell.Money(manifest.OutstandingValue)),
                    ("rowCount", WorkbookCell.WholeNumber(manifest.RowCount)),
                    ("file.name", WorkbookCell.Text(manifest.File.Name)),
                    ("file.bytes", WorkbookCell.WholeNumber(manifest.File.Bytes)),
                    ("file.sha256", WorkbookCell.Text(manifest.File.Sha256)),
                    ("generatedAt", WorkbookCell.Text(manifest.GeneratedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture))),
                ]),
            ]);
    }

    /// <summary>Renders the workbook of <paramref name="csv"/> and checks its rows and net against the manifest's.</summary>
    /// <exception cref="InvalidDataException">The CSV is not the one the manifest describes.</exception>
    public static Task<WorkbookTotals> RenderAsync(Stream csv, ClearingManifest manifest, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var net = decimal.Parse(manifest.Net, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        return CsvWorkbook.RenderCheckedAsync(
            csv, Layout(manifest), destination, manifest.GeneratedAt, $"of {manifest.ChainId}'s clearing for {manifest.ClearingDate:yyyy-MM-dd}", manifest.RowCount,
            new Dictionary<string, decimal>(StringComparer.Ordinal) { ["amount"] = net },
            cancellationToken);
    }

    /// <returns>The day's workbook, streamed from its blob (rendered first if it is not there yet); <c>null</c> when the chain's day is not published.</returns>
    public async Task<PublishedFile?> OpenAsync(string chainId, DateOnly day, CancellationToken cancellationToken)
    {
        if (await store.GetManifestAsync(chainId, day, cancellationToken) is not { } manifest)
        {
            return null;
        }

        return await cache.OpenAsync(
            new WorkbookSource(
                "Clearing", chainId, day, manifest.RowCount, await store.ContainerAsync(cancellationToken),
                ClearingStore.CsvPath(chainId, day), manifest.File.Sha256, BlobPath(chainId, day), FileName(chainId, day),
                (csv, destination, token) => RenderAsync(csv, manifest, destination, token)),
            cancellationToken);
    }
}
