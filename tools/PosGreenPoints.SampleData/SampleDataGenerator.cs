using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace PosGreenPoints.SampleData;

/// <summary>One generated file: its name in <c>samples/</c> and its bytes.</summary>
public sealed record SampleFile(string Name, byte[] Content);

/// <summary>
/// Writes the repository's sample data: the product lists <c>certified-green.csv</c> and <c>low-voc.csv</c>
/// and <c>receipts.jsonl</c>. Deterministic: the same seed gives the same bytes on every machine and .NET
/// version (<see cref="SampleRandom"/>, invariant formatting, fixed line ends), so a unit test can
/// regenerate them and compare them with the committed files.
/// </summary>
public static class SampleDataGenerator
{
    /// <summary>The seed of the committed samples.</summary>
    public const ulong Seed = 20260315;

    public const string CertifiedGreenFile = "certified-green.csv";
    public const string LowVocFile = "low-voc.csv";
    public const string ReceiptsFile = "receipts.jsonl";
    public const string ActivitiesFile = "activities.jsonl";

    // No BOM: the contract allows one, and the tests add it themselves where they want it.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static IReadOnlyList<SampleFile> Generate(ulong seed = Seed)
    {
        var random = new SampleRandom(seed);
        var catalog = Catalog.Build(random);
        var receipts = Receipts.Build(random, catalog);
        return
        [
            new(CertifiedGreenFile, Csv(
                ["gtin", "certificate_number", "product_name", "brand", "model", "category", "certified_company", "valid_from", "valid_to", "status"],
                catalog.Green.Select(row => new[] { row.Gtin, row.CertificateNumber, row.ProductName, row.Brand, row.Model, row.Category, row.CertifiedCompany, Date(row.ValidFrom), Date(row.ValidTo), row.Status }))),
            new(LowVocFile, Csv(
                ["gtin", "product_name", "category", "standard", "voc_content", "voc_unit", "valid_from", "valid_to"],
                catalog.LowVoc.Select(row => new[] { row.Gtin, row.ProductName, row.Category, row.Standard, row.VocContent, row.VocUnit, Date(row.ValidFrom), Date(row.ValidTo) }))),
            new(ReceiptsFile, JsonLines(receipts)),

            // A random sequence of its own, so the receipts and lists stay what they were before activities.
            new(ActivitiesFile, Activities.JsonLines(Activities.Build(new SampleRandom(seed + 1)))),
        ];
    }

    /// <summary>RFC 4180: CRLF after every record; a field with a comma, quote, CR or LF, or with spaces at its ends, quoted with its quotes doubled.</summary>
    private static byte[] Csv(string[] header, IEnumerable<string[]> rows)
    {
        var text = new StringBuilder();
        foreach (var record in rows.Prepend(header))
        {
            text.AppendJoin(',', record.Select(Field)).Append("\r\n");
        }

        return Utf8.GetBytes(text.ToString());

        static string Field(string value) =>
            value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (value.Length > 0 && (value[0] == ' ' || value[^1] == ' '))
                ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
                : value;
    }

    /// <summary>One receipt per line, LF after each, properties in the order of api.md's example.</summary>
    private static byte[] JsonLines(IEnumerable<SampleReceipt> receipts)
    {
        // Chinese text as it is rather than \u escapes: the file is for people to read too.
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using var output = new MemoryStream();
        foreach (var receipt in receipts)
        {
            using (var json = new Utf8JsonWriter(output, options))
            {
                Write(json, receipt);
            }

            output.WriteByte((byte)'\n');
        }

        return output.ToArray();
    }

    private static void Write(Utf8JsonWriter json, SampleReceipt receipt)
    {
        json.WriteStartObject();
        json.WriteString("chainId", Receipts.ChainId);
        json.WriteString("storeId", receipt.StoreId);
        json.WriteString("terminalId", receipt.TerminalId);
        json.WriteString("receiptNumber", receipt.ReceiptNumber);
        json.WriteString("issuedAt", Instant(receipt.IssuedAt));
        json.WriteString("currency", "CNY");
        json.WriteString("type", receipt.Type);
        if (receipt.MemberId is not null)
        {
            json.WriteString("memberId", receipt.MemberId);
        }

        if (receipt.OriginalReceipt is { } original)
        {
            json.WriteStartObject("originalReceipt");
            json.WriteString("storeId", original.StoreId);
            json.WriteString("terminalId", original.TerminalId);
            json.WriteString("receiptNumber", original.ReceiptNumber);
            json.WriteString("issuedAt", Instant(original.IssuedAt));
            json.WriteEndObject();
        }

        json.WriteStartArray("lines");
        foreach (var line in receipt.Lines)
        {
            json.WriteStartObject();
            json.WriteNumber("lineNumber", line.LineNumber);
            if (line.Gtin is not null)
            {
                json.WriteString("gtin", line.Gtin);
            }

            if (line.Sku is not null)
            {
                json.WriteString("sku", line.Sku);
            }

            if (line.Description is not null)
            {
                json.WriteString("description", line.Description);
            }

            json.WritePropertyName("quantity");
            json.WriteRawValue(line.Quantity.ToString("0.###", CultureInfo.InvariantCulture));
            Money(json, "unitPrice", line.UnitPrice);
            Money(json, "discount", line.Discount);
            Money(json, "amount", line.Amount);
            if (line.OriginalLineNumber is { } originalLineNumber)
            {
                json.WriteNumber("originalLineNumber", originalLineNumber);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        Money(json, "total", receipt.Total);
        json.WriteEndObject();
    }

    /// <summary>Money with its two decimals written out (248.00), as tills send it; the value is what counts.</summary>
    private static void Money(Utf8JsonWriter json, string name, decimal value)
    {
        json.WritePropertyName(name);
        json.WriteRawValue(value.ToString("0.00", CultureInfo.InvariantCulture));
    }

    private static string Instant(DateTimeOffset instant) => instant.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
