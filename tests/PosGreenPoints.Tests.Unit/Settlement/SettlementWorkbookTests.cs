using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using DocumentFormat.OpenXml.Validation;
using PosGreenPoints.Contracts.Settlements;
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Functions.Workbooks;
using PosGreenPoints.Tests.Fixtures;
using PosGreenPoints.Tests.Unit.Workbooks;
using static PosGreenPoints.Tests.Unit.Workbooks.OpenXmlReading;

namespace PosGreenPoints.Tests.Unit.Settlement;

/// <summary>
/// settlement.md, "For spreadsheets": the workbook of the golden settlement file, written with OpenXmlWriter and
/// read back here with the Open XML SDK's DOM (another reader than the writer), cell by cell against the CSV.
/// </summary>
public sealed class SettlementWorkbookTests
{
    private static readonly DateTimeOffset GeneratedAt = new(2026, 3, 16, 2, 30, 4, TimeSpan.FromHours(8));

    [Fact]
    public async Task The_golden_file_becomes_typed_postings_with_totals_stores_and_summary()
    {
        var csv = await File.ReadAllBytesAsync(GoldenPath());
        var manifest = GoldenManifest(csv);

        using var document = SpreadsheetDocument.Open(new MemoryStream(await RenderAsync(csv, manifest)), isEditable: false);

        var errors = new OpenXmlValidator().Validate(document).Select(error => $"{error.Path?.XPath}: {error.Description}").ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
        Assert.Equal(["postings", "stores", "summary"], SheetNames(document));

        var formats = document.WorkbookPart!.WorkbookStylesPart!.Stylesheet.CellFormats!.Elements<CellFormat>().ToList();
        var postings = Rows(document, "postings");
        var records = CsvFiles.Records(csv);
        Assert.Equal(records.Count + 1, postings.Count);
        for (var rowIndex = 0; rowIndex < records.Count; rowIndex++)
        {
            var cells = postings[rowIndex].Elements<Cell>().ToList();
            Assert.Equal(SettlementCsv.Columns.Count, cells.Count);
            for (var column = 0; column < cells.Count; column++)
            {
                var (cell, field, name) = (cells[column], records[rowIndex][column], SettlementCsv.Columns[column]);
                var numberFormat = formats[(int)cell.StyleIndex!.Value].NumberFormatId!.Value;
                switch (name)
                {
                    case "qualifying_amount" when rowIndex > 0:
                        Assert.Null(cell.DataType);
                        Assert.Equal(decimal.Parse(field, CultureInfo.InvariantCulture), decimal.Parse(cell.CellValue!.Text, CultureInfo.InvariantCulture));
                        Assert.Equal(4u, numberFormat); // #,##0.00
                        break;
                    case "points" or "line_number" when rowIndex > 0:
                        Assert.Null(cell.DataType);
                        Assert.Equal(long.Parse(field, CultureInfo.InvariantCulture), long.Parse(cell.CellValue!.Text, CultureInfo.InvariantCulture));
                        Assert.Equal(3u, numberFormat); // #,##0
                        break;
                    default:
                        Assert.Equal(field, TextOf(cell));
                        Assert.Equal(49u, numberFormat); // @: text, also when typed over
                        break;
                }
            }
        }

        // GTINs stay 14-digit text with their leading zero; formula-like text stays neutralised text.
        var gtin = SettlementCsv.Columns.ToList().IndexOf("gtin");
        Assert.All(postings.Skip(1).Take(records.Count - 1), row => Assert.Equal(CellValues.InlineString, row.Elements<Cell>().ElementAt(gtin).DataType!.Value));
        Assert.Equal("06901234567892", TextOf(postings[1].Elements<Cell>().ElementAt(gtin)));
        Assert.DoesNotContain(postings.SelectMany(row => row.Elements<Cell>()), cell => cell.CellFormula is not null && cell.CellFormula.Text.Contains("cmd", StringComparison.Ordinal));

        // The totals row sums the CSV's columns, as a formula with its value cached.
        var totals = postings[^1].Elements<Cell>().ToList();
        Assert.Equal("total", TextOf(totals[0]));
        var amountColumn = CsvWorkbook.ColumnLetters(14);
        Assert.Equal($"SUM({amountColumn}2:{amountColumn}{records.Count})", totals[14].CellFormula!.Text);
        Assert.Equal(records.Skip(1).Sum(record => decimal.Parse(record[14], CultureInfo.InvariantCulture)), decimal.Parse(totals[14].CellValue!.Text, CultureInfo.InvariantCulture));
        Assert.Equal(decimal.Parse(manifest.QualifyingAmount, CultureInfo.InvariantCulture), decimal.Parse(totals[14].CellValue!.Text, CultureInfo.InvariantCulture));
        Assert.Equal(records.Skip(1).Sum(record => long.Parse(record[15], CultureInfo.InvariantCulture)), long.Parse(totals[15].CellValue!.Text, CultureInfo.InvariantCulture));
        Assert.Equal(manifest.NetPoints, long.Parse(totals[15].CellValue!.Text, CultureInfo.InvariantCulture));

        var pane = WorksheetOf(document, "postings").GetFirstChild<SheetViews>()!.GetFirstChild<SheetView>()!.GetFirstChild<Pane>()!;
        Assert.Equal(PaneStateValues.Frozen, pane.State!.Value);
        Assert.Equal(1d, pane.VerticalSplit!.Value);

        var stores = Rows(document, "stores").Select(row => row.Elements<Cell>().Select(ValueOf).ToList()).ToList();
        Assert.Equal(["store_id", "row_count", "qualifying_amount", "net_points"], stores[0]);
        Assert.Equal(
            manifest.Stores.Select(store => new List<string> { store.StoreId, $"{store.RowCount}", store.QualifyingAmount, $"{store.NetPoints}" })
                .Append(["total", $"{manifest.RowCount}", manifest.QualifyingAmount, $"{manifest.NetPoints}"]),
            stores.Skip(1));

        var summary = Rows(document, "summary").Skip(1).ToDictionary(row => ValueOf(row.Elements<Cell>().First()), row => ValueOf(row.Elements<Cell>().Last()));
        Assert.Equal(manifest.File.Sha256, summary["file.sha256"]);
        Assert.Equal(manifest.File.Name, summary["file.name"]);
        Assert.Equal("2026-03-15", summary["postingDate"]);
        Assert.Equal("default-2026;default-2026b", summary["rulesVersions"]);
        Assert.Equal($"{manifest.ReceiptCount}", summary["receiptCount"]);
        Assert.Equal("2026-03-16T02:30:04+08:00", summary["generatedAt"]);
    }

    [Fact]
    public async Task The_same_csv_and_manifest_give_byte_identical_workbooks()
    {
        var csv = await File.ReadAllBytesAsync(GoldenPath());
        var manifest = GoldenManifest(csv);

        Assert.Equal(await RenderAsync(csv, manifest), await RenderAsync(csv, manifest));
    }

    [Fact]
    public async Task A_csv_that_is_not_the_manifests_is_refused()
    {
        var csv = await File.ReadAllBytesAsync(GoldenPath());
        var manifest = GoldenManifest(csv);

        await Assert.ThrowsAsync<InvalidDataException>(() => RenderAsync(csv, manifest with { NetPoints = manifest.NetPoints + 1 }));
        await Assert.ThrowsAsync<InvalidDataException>(() => RenderAsync(csv, manifest with { RowCount = manifest.RowCount - 1 }));
        var otherHeader = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(csv).Replace("points\r\n", "pts\r\n", StringComparison.Ordinal));
        await Assert.ThrowsAsync<InvalidDataException>(() => RenderAsync(otherHeader, manifest));
        var notAnAmount = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(csv).Replace(",100.00,", ",1OO.00,", StringComparison.Ordinal));
        await Assert.ThrowsAsync<InvalidDataException>(() => RenderAsync(notAnAmount, manifest));
    }

    [Fact]
    public async Task An_empty_day_has_a_header_and_a_zero_totals_row()
    {
        var csv = Encoding.UTF8.GetBytes("\uFEFF" + string.Join(',', SettlementCsv.Columns) + "\r\n");
        var manifest = GoldenManifest(csv) with { RowCount = 0, ReceiptCount = 0, QualifyingAmount = "0.00", PointsAwarded = 0, PointsReversed = 0, NetPoints = 0, Stores = [] };

        using var document = SpreadsheetDocument.Open(new MemoryStream(await RenderAsync(csv, manifest)), isEditable: false);

        var postings = Rows(document, "postings");
        Assert.Equal(2, postings.Count);
        var totals = postings[1].Elements<Cell>().ToList();
        Assert.Null(totals[14].CellFormula);
        Assert.Equal("0.00", totals[14].CellValue!.Text);
        Assert.Equal("0", totals[15].CellValue!.Text);
    }

    /// <summary>Past a worksheet's rows the data goes on in "postings 2", …; the one totals row sums every sheet.</summary>
    [Fact]
    public async Task Rows_past_a_sheets_limit_continue_on_further_sheets_and_the_totals_row_sums_them_all()
    {
        var csv = await File.ReadAllBytesAsync(GoldenPath());
        var layout = SettlementWorkbooks.Layout(GoldenManifest(csv)) with { RowsPerSheet = 3 };
        using var output = new MemoryStream();

        var totals = await CsvWorkbook.RenderAsync(new MemoryStream(csv), layout, output, GeneratedAt, CancellationToken.None);

        using var document = SpreadsheetDocument.Open(new MemoryStream(output.ToArray()), isEditable: false);
        Assert.Empty(new OpenXmlValidator().Validate(document));
        Assert.Equal(["postings", "postings 2", "postings 3", "stores", "summary"], SheetNames(document));
        Assert.Equal(4, Rows(document, "postings").Count);
        Assert.Equal(4, Rows(document, "postings 2").Count);
        Assert.Equal(4, Rows(document, "postings 3").Count);
        Assert.Equal(8, totals.Rows);
        var last = Rows(document, "postings 3")[^1].Elements<Cell>().ToList();
        Assert.Equal("SUM('postings'!O2:O4,'postings 2'!O2:O4,O2:O3)", last[14].CellFormula!.Text);
        Assert.Equal(totals.Sums["qualifying_amount"], decimal.Parse(last[14].CellValue!.Text, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Text_that_xml_cannot_hold_is_escaped_and_blanks_are_kept()
    {
        var csv = Encoding.UTF8.GetBytes("id,name,amount\r\n0012,\" leading\",1.50\r\n0013,\"bell\u0007 and _x0041_\",\r\n");
        var layout = new WorkbookLayout("rows", [new("id", CellKind.Text), new("name", CellKind.Text), new("amount", CellKind.Money, Totalled: true)], []);
        using var output = new MemoryStream();

        var totals = await CsvWorkbook.RenderAsync(new MemoryStream(csv), layout, output, GeneratedAt, CancellationToken.None);

        using var document = SpreadsheetDocument.Open(new MemoryStream(output.ToArray()), isEditable: false);
        Assert.Empty(new OpenXmlValidator().Validate(document));
        var rows = Rows(document, "rows");
        Assert.Equal(" leading", TextOf(rows[1].Elements<Cell>().ElementAt(1)));
        Assert.Equal("0013", TextOf(rows[2].Elements<Cell>().First()));
        Assert.Equal("bell_x0007_ and _x005F_x0041_", TextOf(rows[2].Elements<Cell>().ElementAt(1)));
        Assert.Null(rows[2].Elements<Cell>().ElementAt(2).CellValue);
        Assert.Equal(1.50m, totals.Sums["amount"]);
    }

    private static async Task<byte[]> RenderAsync(byte[] csv, SettlementManifest manifest)
    {
        using var output = new MemoryStream();
        await SettlementWorkbooks.RenderAsync(new MemoryStream(csv), manifest, new WriteOnlyStream(output), CancellationToken.None);
        return output.ToArray();
    }

    /// <summary>The golden file's manifest, as SettlementCsvTests has it.</summary>
    private static SettlementManifest GoldenManifest(byte[] csv) => new(
        1, "hualian", new DateOnly(2026, 3, 15), "Asia/Shanghai",
        RowCount: 8,
        ReceiptCount: 5,
        QualifyingAmount: "85.65",
        PointsAwarded: 280,
        PointsReversed: 300,
        NetPoints: -20,
        [new StoreSettlement("SH-0001", 6, "230.10", 280), new StoreSettlement("SH-0002", 2, "-144.45", -300)],
        new SettlementFile("hualian-20260315.csv", csv.Length, Convert.ToHexStringLower(SHA256.HashData(csv))),
        ["default-2026", "default-2026b"],
        GeneratedAt);

    private static string GoldenPath([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "golden.csv");
}
