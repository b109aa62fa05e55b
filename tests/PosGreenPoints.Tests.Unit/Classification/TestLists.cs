using System.Globalization;
using System.Text;
using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Points;

namespace PosGreenPoints.Tests.Unit.Classification;

/// <summary>Product-list CSVs for tests, in the shapes of the two default lists.</summary>
internal static class TestLists
{
    public const string GreenHeader = "gtin,certificate_number,product_name,brand,model,category,certified_company,valid_from,valid_to,status";
    public const string LowVocHeader = "gtin,product_name,category,standard,voc_content,voc_unit,valid_from,valid_to";

    public static ListRule CertifiedGreen { get; } = new(1.0m,
        ["gtin", "certificate_number", "product_name", "brand", "model", "category", "certified_company", "valid_from", "valid_to", "status"]);

    public static ListRule LowVoc { get; } = new(0.5m,
        ["gtin", "product_name", "category", "standard", "voc_content", "voc_unit", "valid_from", "valid_to"]);

    public static string SampleDirectory { get; } = FindSampleDirectory();

    public static string GreenRow(
        string gtin,
        string validFrom = "2025-01-01",
        string validTo = "2027-12-31",
        string status = "valid",
        string certificate = "GP202500000001",
        string productName = "青禾实木复合地板") =>
        $"{gtin},{certificate},{productName},青禾,M-5181,人造板和木质地板,青禾家居有限公司,{validFrom},{validTo},{status}";

    public static string LowVocRow(string gtin, string validFrom = "2025-01-01", string validTo = "2027-12-31", string productName = "水性木器漆") =>
        $"{gtin},{productName},建筑涂料,GB 18582-2020,12,g/L,{validFrom},{validTo}";

    /// <summary>A GTIN-13 under the 690 prefix with its check digit.</summary>
    public static string Gtin13(int number) => WithCheckDigit("690" + number.ToString("D9", CultureInfo.InvariantCulture));

    /// <summary>Appends the GS1 mod-10 check digit.</summary>
    public static string WithCheckDigit(string digits)
    {
        var sum = 0;
        for (var position = 0; position < digits.Length; position++)
        {
            var digit = digits[digits.Length - 1 - position] - '0';
            sum += position % 2 == 0 ? digit * 3 : digit;
        }

        return digits + (char)('0' + ((10 - (sum % 10)) % 10));
    }

    public static MemoryStream Csv(string text, bool byteOrderMark = false) =>
        new(new UTF8Encoding(byteOrderMark).GetPreamble().Concat(Encoding.UTF8.GetBytes(text)).ToArray());

    public static string Lines(params string[] lines) => string.Join("\r\n", lines) + "\r\n";

    public static Task<ProductListValidation> ValidateAsync(ListRule rule, string text) =>
        new ProductListValidator(rule).ValidateAsync(Csv(text), CancellationToken.None);

    public static Task<ProductListIndex> LoadAsync(string text, string listId = "certified-green", string version = "v1") =>
        ProductListIndex.LoadAsync(Csv(text), listId, version, CancellationToken.None);

    private static string FindSampleDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PosGreenPoints.sln")))
            {
                return Path.Combine(directory.FullName, "samples");
            }
        }

        throw new DirectoryNotFoundException($"No PosGreenPoints.sln above {AppContext.BaseDirectory}.");
    }
}
