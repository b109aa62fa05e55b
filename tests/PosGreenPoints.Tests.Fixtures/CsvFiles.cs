using System.Globalization;
using System.Text;
using CsvHelper;

namespace PosGreenPoints.Tests.Fixtures;

/// <summary>
/// A settlement or clearing file read back as a chain's finance tool would: by CsvHelper, not by the
/// app's own writer, so a test compares the file's content with an independent reading.
/// </summary>
public static class CsvFiles
{
    /// <summary>The header and then every record, each as its cells (UTF-8, with or without its BOM).</summary>
    public static List<string[]> Records(byte[] csv)
    {
        using var reader = new StreamReader(new MemoryStream(csv), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var parser = new CsvParser(reader, CultureInfo.InvariantCulture);
        var records = new List<string[]>();
        while (parser.Read())
        {
            records.Add(parser.Record!);
        }

        return records;
    }

    /// <summary>The records after the header, each as its cells by column name.</summary>
    public static List<Dictionary<string, string>> Rows(byte[] csv)
    {
        var records = Records(csv);
        var header = records[0];
        return [.. records.Skip(1).Select(record => header.Select((name, index) => (name, index)).ToDictionary(column => column.name, column => record[column.index], StringComparer.Ordinal))];
    }
}
