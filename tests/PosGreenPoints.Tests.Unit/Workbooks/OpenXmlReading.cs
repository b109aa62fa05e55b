using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace PosGreenPoints.Tests.Unit.Workbooks;

/// <summary>
/// Reading a rendered workbook back with the Open XML SDK's DOM and its CSV with CsvHelper's parser: readers
/// other than the renderer's own writer and parser loop, shared by the settlement and clearing workbook tests.
/// </summary>
internal static class OpenXmlReading
{
    public static List<string> SheetNames(SpreadsheetDocument document) =>
        [.. document.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>().Select(sheet => sheet.Name!.Value!)];

    public static Worksheet WorksheetOf(SpreadsheetDocument document, string name)
    {
        var sheet = document.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>().Single(sheet => sheet.Name == name);
        return ((WorksheetPart)document.WorkbookPart.GetPartById(sheet.Id!)).Worksheet;
    }

    public static List<Row> Rows(SpreadsheetDocument document, string name) =>
        [.. WorksheetOf(document, name).GetFirstChild<SheetData>()!.Elements<Row>()];

    /// <summary>The number format id of a cell's style: 3 is <c>#,##0</c>, 4 <c>#,##0.00</c>, 49 text.</summary>
    public static uint NumberFormat(SpreadsheetDocument document, Cell cell) =>
        document.WorkbookPart!.WorkbookStylesPart!.Stylesheet.CellFormats!.Elements<CellFormat>().ElementAt((int)cell.StyleIndex!.Value).NumberFormatId!.Value;

    /// <summary>A text cell's string: an inline string, or "" for a blank cell.</summary>
    public static string TextOf(Cell cell)
    {
        if (cell.DataType is null && cell.CellValue is null)
        {
            return "";
        }

        Assert.Equal(CellValues.InlineString, cell.DataType!.Value);
        return cell.InlineString!.Text!.Text;
    }

    public static string ValueOf(Cell cell) => cell.DataType is null ? cell.CellValue?.Text ?? "" : TextOf(cell);
}

/// <summary>Like a blob or response stream: no seeking, no reading, so the renderer cannot rely on either.</summary>
internal sealed class WriteOnlyStream(Stream inner) : Stream
{
    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
}
