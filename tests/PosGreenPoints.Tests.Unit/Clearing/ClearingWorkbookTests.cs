using System.Globalization;
using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using DocumentFormat.OpenXml.Validation;
using PosGreenPoints.Contracts.Clearing;
using PosGreenPoints.Functions.Clearing;
using PosGreenPoints.Functions.Workbooks;
using PosGreenPoints.Tests.Fixtures;
using PosGreenPoints.Tests.Unit.Workbooks;
using static PosGreenPoints.Tests.Unit.Workbooks.OpenXmlReading;

namespace PosGreenPoints.Tests.Unit.Clearing;

/// <summary>
/// settlement.md, "For spreadsheets" ("clearing files have the same ?format=xlsx"): a chain's clearing CSV, written
/// by the app's CSV writer, rendered as a workbook and read back with the Open XML SDK's DOM (another reader than
/// the renderer's writer), cell by cell against the CSV as CsvHelper parses it, and against figures worked out
/// here by hand from the rows.
/// </summary>
public sealed class ClearingWorkbookTests
{
    private static readonly DateOnly Day = new(2026, 3, 15);
    private static readonly DateTimeOffset GeneratedAt = new(2026, 3, 16, 3, 0, 7, TimeSpan.FromHours(8));
    private const string MemberRef = "0123456789abcdef0123456789abcdef";

    /// <summary>
    /// hualian's day, in file order (counterparty, kind, reference, lot): an id of digits with a leading zero that a
    /// number cell would spoil, a formula-like reference, a refund (negative at the redeemer), amounts = points × 0.01.
    /// </summary>
    private static readonly ClearingRow[] Day1Rows =
    [
        new("hualian", "a-mart", ClearingDirections.Payable, ClearingKinds.Clawback, "=cmd|' /C calc'!A0", "L-2", "AM-01", "T1", MemberRef, -40, 0.01m, -0.40m),
        new("hualian", "a-mart", ClearingDirections.Payable, ClearingKinds.Redemption, "r-1", "0012345678901234567", "AM-01", "T1", MemberRef, -150, 0.01m, -1.50m),
        new("hualian", "sh-metro", ClearingDirections.Receivable, ClearingKinds.Redemption, "r-2", "L-3", "SH-0001", "T2", MemberRef, 12000, 0.01m, 120.00m),
        new("hualian", "sh-metro", ClearingDirections.Payable, ClearingKinds.Refund, "rf-1", "L-3", "SH-0001", "T2", MemberRef, -3550, 0.01m, -35.50m),
    ];

    [Fact]
    public async Task A_clearing_day_becomes_typed_entries_with_totals_counterparties_and_summary()
    {
        var (csv, manifest) = await ClearingDayAsync(Day1Rows);

        // The figures by hand: a-mart 0.00 receivable, 1.90 payable; sh-metro 120.00 and 35.50.
        Assert.Equal([new ClearingCounterparty("a-mart", "0.00", "1.90", "-1.90"), new ClearingCounterparty("sh-metro", "120.00", "35.50", "84.50")], manifest.Counterparties);
        Assert.Equal(("120.00", "37.40", "82.60"), (manifest.Receivable, manifest.Payable, manifest.Net));

        using var document = SpreadsheetDocument.Open(new MemoryStream(await RenderAsync(csv, manifest)), isEditable: false);

        var errors = new OpenXmlValidator().Validate(document).Select(error => $"{error.Path?.XPath}: {error.Description}").ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
        Assert.Equal(["entries", "counterparties", "summary"], SheetNames(document));

        var entries = Rows(document, "entries");
        var records = CsvFiles.Records(csv);
        Assert.Equal(ClearingCsv.Columns, records[0]);
        Assert.Equal(Day1Rows.Length + 1, records.Count);
        Assert.Equal(records.Count + 1, entries.Count);
        for (var rowIndex = 0; rowIndex < records.Count; rowIndex++)
        {
            var cells = entries[rowIndex].Elements<Cell>().ToList();
            Assert.Equal(ClearingCsv.Columns.Count, cells.Count);
            for (var column = 0; column < cells.Count; column++)
            {
                var (cell, field, name) = (cells[column], records[rowIndex][column], ClearingCsv.Columns[column]);
                switch (name)
                {
                    case "amount" or "yuan_per_point" when rowIndex > 0:
                        Assert.Null(cell.DataType);
                        Assert.Equal(decimal.Parse(field, CultureInfo.InvariantCulture), decimal.Parse(cell.CellValue!.Text, CultureInfo.InvariantCulture));
                        Assert.Equal(4u, NumberFormat(document, cell)); // #,##0.00
                        break;
                    case "points" when rowIndex > 0:
                        Assert.Null(cell.DataType);
                        Assert.Equal(long.Parse(field, CultureInfo.InvariantCulture), long.Parse(cell.CellValue!.Text, CultureInfo.InvariantCulture));
                        Assert.Equal(3u, NumberFormat(document, cell)); // #,##0
                        break;
                    default:
                        Assert.Equal(field, TextOf(cell));
                        Assert.Equal(49u, NumberFormat(document, cell)); // @
                        break;
                }
            }
        }

        // Each row's amount is its points at its value, read from the workbook alone.
        var (points, value, amount) = (Index("points"), Index("yuan_per_point"), Index("amount"));
        foreach (var row in entries.Skip(1).Take(Day1Rows.Length))
        {
            var cells = row.Elements<Cell>().ToList();
            Assert.Equal(
                decimal.Parse(cells[amount].CellValue!.Text, CultureInfo.InvariantCulture),
                long.Parse(cells[points].CellValue!.Text, CultureInfo.InvariantCulture) * decimal.Parse(cells[value].CellValue!.Text, CultureInfo.InvariantCulture));
        }

        // Ids stay text: the leading zero of an all-digit lot id, and the formula-like reference stays neutralised text.
        Assert.Equal("0012345678901234567", TextOf(entries[2].Elements<Cell>().ElementAt(Index("lot_id"))));
        Assert.Equal("'=cmd|' /C calc'!A0", TextOf(entries[1].Elements<Cell>().ElementAt(Index("reference"))));
        Assert.DoesNotContain(entries.SelectMany(row => row.Elements<Cell>()), cell => cell.CellFormula is not null && !cell.CellFormula.Text.StartsWith("SUM(", StringComparison.Ordinal));

        // The totals row: points and amounts summed by formula with the value cached; the amount is the manifest's net.
        var totals = entries[^1].Elements<Cell>().ToList();
        Assert.Equal("total", TextOf(totals[0]));
        var amountColumn = CsvWorkbook.ColumnLetters(amount);
        Assert.Equal($"SUM({amountColumn}2:{amountColumn}{Day1Rows.Length + 1})", totals[amount].CellFormula!.Text);
        Assert.Equal(82.60m, decimal.Parse(totals[amount].CellValue!.Text, CultureInfo.InvariantCulture));
        Assert.Equal(8260, long.Parse(totals[points].CellValue!.Text, CultureInfo.InvariantCulture));
        Assert.Null(totals[value].CellFormula);

        var pane = WorksheetOf(document, "entries").GetFirstChild<SheetViews>()!.GetFirstChild<SheetView>()!.GetFirstChild<Pane>()!;
        Assert.Equal(PaneStateValues.Frozen, pane.State!.Value);

        var counterparties = Rows(document, "counterparties").Select(row => row.Elements<Cell>().Select(ValueOf).ToList()).ToList();
        Assert.Equal(
            [
                ["counterparty_chain_id", "receivable", "payable", "net"],
                ["a-mart", "0.00", "1.90", "-1.90"],
                ["sh-metro", "120.00", "35.50", "84.50"],
                ["total", "120.00", "37.40", "82.60"],
            ],
            counterparties);
        var moneyCells = Rows(document, "counterparties").Skip(1).SelectMany(row => row.Elements<Cell>().Skip(1)).ToList();
        Assert.All(moneyCells, cell => Assert.Null(cell.DataType));
        Assert.All(moneyCells, cell => Assert.Equal(4u, NumberFormat(document, cell)));

        var summary = Rows(document, "summary").Skip(1).ToDictionary(row => ValueOf(row.Elements<Cell>().First()), row => ValueOf(row.Elements<Cell>().Last()));
        Assert.Equal("hualian", summary["chainId"]);
        Assert.Equal("2026-03-15", summary["clearingDate"]);
        Assert.Equal("Asia/Shanghai", summary["timeZone"]);
        Assert.Equal("82.60", summary["net"]);
        Assert.Equal($"{Day1Rows.Length}", summary["rowCount"]);
        Assert.Equal("2500", summary["outstandingPoints"]);
        Assert.Equal("25.00", summary["outstandingValue"]);
        Assert.Equal(manifest.File.Sha256, summary["file.sha256"]);
        Assert.Equal($"{csv.Length}", summary["file.bytes"]);
        Assert.Equal("hualian-20260315.clearing.csv", summary["file.name"]);
        Assert.Equal("2026-03-16T03:00:07+08:00", summary["generatedAt"]);
    }

    [Fact]
    public async Task The_same_day_gives_byte_identical_workbooks()
    {
        var (csv, manifest) = await ClearingDayAsync(Day1Rows);

        Assert.Equal(await RenderAsync(csv, manifest), await RenderAsync(csv, manifest));
    }

    [Fact]
    public async Task A_csv_that_is_not_the_manifests_is_refused()
    {
        var (csv, manifest) = await ClearingDayAsync(Day1Rows);

        await Assert.ThrowsAsync<InvalidDataException>(() => RenderAsync(csv, manifest with { Net = "82.61" }));
        await Assert.ThrowsAsync<InvalidDataException>(() => RenderAsync(csv, manifest with { RowCount = manifest.RowCount + 1 }));
        var notAnAmount = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(csv).Replace(",120.00", ",12O.00", StringComparison.Ordinal));
        await Assert.ThrowsAsync<InvalidDataException>(() => RenderAsync(notAnAmount, manifest));
        var settlementHeader = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(csv).Replace("clearing_date,", "posting_date,", StringComparison.Ordinal));
        await Assert.ThrowsAsync<InvalidDataException>(() => RenderAsync(settlementHeader, manifest));
    }

    /// <summary>clearing.md: "a day with no entries still gets files" — and its workbook a header and a zero totals row.</summary>
    [Fact]
    public async Task A_day_without_entries_has_a_header_a_zero_totals_row_and_no_counterparties()
    {
        var (csv, manifest) = await ClearingDayAsync([]);

        using var document = SpreadsheetDocument.Open(new MemoryStream(await RenderAsync(csv, manifest)), isEditable: false);

        var entries = Rows(document, "entries");
        Assert.Equal(2, entries.Count);
        var totals = entries[1].Elements<Cell>().ToList();
        Assert.Equal("0.00", totals[Index("amount")].CellValue!.Text);
        Assert.Equal("0", totals[Index("points")].CellValue!.Text);
        Assert.Equal([["counterparty_chain_id", "receivable", "payable", "net"], ["total", "0.00", "0.00", "0.00"]], Rows(document, "counterparties").Select(row => row.Elements<Cell>().Select(ValueOf).ToList()));
    }

    private static int Index(string column) => ClearingCsv.Columns.ToList().IndexOf(column);

    /// <summary>The CSV as the app writes it, and the manifest made from what the writer counted (as ClearingWriter does).</summary>
    private static async Task<(byte[] Csv, ClearingManifest Manifest)> ClearingDayAsync(IReadOnlyList<ClearingRow> rows)
    {
        using var output = new MemoryStream();
        var totals = await ClearingCsv.WriteAsync("hualian", Day, rows, output, CancellationToken.None);
        var csv = output.ToArray();
        var manifest = new ClearingManifest(
            1, "hualian", Day, "Asia/Shanghai", totals.Counterparties,
            ClearingCsv.Money(totals.Receivable), ClearingCsv.Money(totals.Payable), ClearingCsv.Money(totals.Net),
            PointsIssued: 13000, PointsRedeemedHere: 8450, PointsExpired: 300, OutstandingPoints: 2500, OutstandingValue: "25.00",
            totals.RowCount, new ClearingFile(ClearingCsv.FileName("hualian", Day), totals.Bytes, totals.Sha256), GeneratedAt);
        return (csv, manifest);
    }

    private static async Task<byte[]> RenderAsync(byte[] csv, ClearingManifest manifest)
    {
        using var output = new MemoryStream();
        await ClearingWorkbooks.RenderAsync(new MemoryStream(csv), manifest, new WriteOnlyStream(output), CancellationToken.None);
        return output.ToArray();
    }
}
