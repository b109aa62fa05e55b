using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsvHelper;
using CsvHelper.Configuration;
using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Receipts;
using PosGreenPoints.SampleData;
using PosGreenPoints.Tests.Unit.Classification;
using PosGreenPoints.Tests.Unit.Receipts;

namespace PosGreenPoints.Tests.Unit.Samples;

/// <summary>
/// The repository's sample data (<c>samples/</c>): what tools/PosGreenPoints.SampleData writes, byte for
/// byte, and the hard cases the tests and the integrators' docs count on, checked with the app's own
/// validator, classification and points rules.
/// </summary>
public sealed class SampleDataTests
{
    private const string Regenerate = "dotnet run --project tools/PosGreenPoints.SampleData";
    private static readonly DateOnly SampleDay = new(2026, 3, 15);
    private static readonly string SampleFolder = TestLists.SampleDirectory;
    private static readonly string[] HostilePrefixes = ["=", "+", "-", "@"];

    private static readonly Lazy<IReadOnlyList<JsonObject>> Receipts = new(() =>
        File.ReadLines(Path.Combine(SampleFolder, SampleDataGenerator.ReceiptsFile)).Select(line => JsonNode.Parse(line)!.AsObject()).ToList());

    [Fact]
    public void The_committed_samples_are_exactly_what_the_generator_writes_with_its_seed()
    {
        var generated = SampleDataGenerator.Generate();

        Assert.Equal([SampleDataGenerator.CertifiedGreenFile, SampleDataGenerator.LowVocFile, SampleDataGenerator.ReceiptsFile, SampleDataGenerator.ActivitiesFile], generated.Select(file => file.Name));
        foreach (var file in generated)
        {
            var committed = File.ReadAllBytes(Path.Combine(SampleFolder, file.Name));
            Assert.True(committed.AsSpan().SequenceEqual(file.Content), $"samples/{file.Name} {FirstDifference(committed, file.Content)}. Regenerate with `{Regenerate}` and commit the result.");
        }
    }

    [Fact]
    public void The_generator_gives_the_same_bytes_every_time_and_other_bytes_for_another_seed()
    {
        var first = SampleDataGenerator.Generate();
        var again = SampleDataGenerator.Generate();
        var other = SampleDataGenerator.Generate(SampleDataGenerator.Seed + 1);

        Assert.All(first.Zip(again), pair => Assert.True(pair.First.Content.AsSpan().SequenceEqual(pair.Second.Content), pair.First.Name));
        Assert.All(first.Zip(other), pair => Assert.False(pair.First.Content.AsSpan().SequenceEqual(pair.Second.Content), pair.First.Name));
    }

    [Fact]
    public void The_lists_hold_renewed_suspended_revoked_expired_and_hostile_rows()
    {
        var green = ReadList(SampleDataGenerator.CertifiedGreenFile);
        var lowVoc = ReadList(SampleDataGenerator.LowVocFile);
        var today = Today();

        // Renewed certificates: one GTIN, two rows whose windows follow each other without overlap; for
        // the renewals on 2026-07-01, the sample day and today each fall in one of them.
        var renewed = green.GroupBy(row => Gtin14(row["gtin"])).Where(rows => rows.Count() == 2).Select(rows => rows.OrderBy(row => row["valid_from"], StringComparer.Ordinal).ToList()).ToList();
        Assert.NotEmpty(renewed);
        Assert.All(renewed, pair => Assert.Equal(Date(pair[0]["valid_to"]).AddDays(1), Date(pair[1]["valid_from"])));
        Assert.Contains(renewed, pair => Covers(pair[0], SampleDay) && Covers(pair[1], today) && pair[0]["certificate_number"] != pair[1]["certificate_number"]);
        Assert.Contains(renewed, pair => pair[0]["status"] == "revoked" && pair[1]["status"] == "valid");
        Assert.Contains(lowVoc.GroupBy(row => Gtin14(row["gtin"])), rows => rows.Count() == 2);

        Assert.Equal(122, green.Count(row => row["status"] == "suspended"));
        Assert.Equal(61, green.Count(row => row["status"] == "revoked"));
        Assert.Contains(green, row => row["status"] == "valid" && Date(row["valid_to"]) < SampleDay);

        // Products on both lists; GTINs written in 14 digits; names a settlement CSV must neutralise or quote.
        Assert.True(green.Select(row => Gtin14(row["gtin"])).Intersect(lowVoc.Select(row => Gtin14(row["gtin"]))).Count() > 200);
        Assert.Contains(green, row => row["gtin"].Length == 14);
        var names = green.Concat(lowVoc).Select(row => row["product_name"]).ToList();
        Assert.All(HostilePrefixes, prefix => Assert.Contains(names, name => name.StartsWith(prefix, StringComparison.Ordinal)));
        Assert.Contains(names, name => name.Contains('\n', StringComparison.Ordinal));
        Assert.Contains(names, name => name.Contains("\r\n", StringComparison.Ordinal));
        Assert.Contains(names, name => name.Contains(',', StringComparison.Ordinal));
        Assert.Contains(names, name => name.Contains('"', StringComparison.Ordinal));
        Assert.True(names.Count(name => name.Any(character => character is >= '\u4e00' and <= '\u9fff')) > 3000);
    }

    [Fact]
    public void Every_return_takes_back_lines_of_an_earlier_sale_in_the_file_and_never_more_than_was_bought()
    {
        var sales = Receipts.Value.Where(receipt => (string?)receipt["type"] == "sale").ToDictionary(receipt => (string)receipt["receiptNumber"]!);
        var returns = Receipts.Value.Where(receipt => (string?)receipt["type"] == "return").ToList();
        var returned = new Dictionary<(string Sale, int Line), (decimal Quantity, decimal Amount)>();

        Assert.Equal(12, returns.Count);
        foreach (var @return in returns)
        {
            var reference = @return["originalReceipt"]!;
            var sale = sales[(string)reference["receiptNumber"]!];
            Assert.Equal(((string?)sale["storeId"], (string?)sale["terminalId"], (string?)sale["issuedAt"]), ((string?)reference["storeId"], (string?)reference["terminalId"], (string?)reference["issuedAt"]));
            Assert.True(Instant(@return) > Instant(sale), $"{@return["receiptNumber"]} is issued before its sale.");
            foreach (var line in @return["lines"]!.AsArray())
            {
                var originalLineNumber = (int)line!["originalLineNumber"]!;
                var original = sale["lines"]!.AsArray().Single(candidate => (int)candidate!["lineNumber"]! == originalLineNumber)!;
                Assert.Equal(((string?)original["gtin"], (string?)original["sku"]), ((string?)line["gtin"], (string?)line["sku"]));

                var key = ((string)sale["receiptNumber"]!, originalLineNumber);
                var (quantity, amount) = returned.GetValueOrDefault(key);
                returned[key] = (quantity + (decimal)line["quantity"]!, amount + (decimal)line["amount"]!);
                var bought = (decimal)original["quantity"]!;
                var bound = Math.Round((decimal)original["amount"]! * returned[key].Quantity / bought, 2, MidpointRounding.AwayFromZero);
                Assert.True(returned[key].Quantity <= bought, $"{@return["receiptNumber"]} returns more of line {originalLineNumber} than was bought.");
                Assert.True(returned[key].Amount <= bound, $"{@return["receiptNumber"]} takes back more than {bound} for line {originalLineNumber}.");
            }
        }

        // The cases: whole and part of a line, one line over two returns, no member, another store, another member.
        Assert.Contains(returned, entry => entry.Value.Quantity == Bought(sales, entry.Key));
        Assert.Contains(returned, entry => entry.Value.Quantity < Bought(sales, entry.Key));
        Assert.Contains(returns.GroupBy(@return => (string?)@return["originalReceipt"]!["receiptNumber"]), group => group.Count() == 2);
        Assert.Contains(returns, @return => @return["memberId"] is null && sales[(string)@return["originalReceipt"]!["receiptNumber"]!]["memberId"] is not null);
        Assert.Contains(returns, @return => (string?)@return["storeId"] != (string?)@return["originalReceipt"]!["storeId"]);
        Assert.Contains(returns, @return => @return["memberId"] is not null && (string?)@return["memberId"] != (string?)sales[(string)@return["originalReceipt"]!["receiptNumber"]!]["memberId"]);
    }

    [Fact]
    public async Task On_the_sample_day_and_today_sales_reach_the_receipt_cap_and_members_the_daily_cap()
    {
        var rules = PointsRules.Load(Path.Combine(SampleFolder, "..", "functions", "PosGreenPoints.Functions", "rules.json"));
        var snapshot = new ClassificationSnapshot([await LoadAsync(SampleDataGenerator.CertifiedGreenFile, "certified-green"), await LoadAsync(SampleDataGenerator.LowVocFile, "low-voc")]);
        var context = new ReceiptValidationContext(new DateTimeOffset(2026, 3, 15, 23, 0, 0, TimeSpan.FromHours(8)), ReceiptValidationContext.DefaultMaxAgeDays, chainId => chainId == "demo-chain" ? TestReceipts.Shanghai : null);
        var sales = Receipts.Value
            .Where(receipt => (string?)receipt["type"] == "sale" && receipt["lines"]!.AsArray().Count > 0)
            .Select(receipt => TestReceipts.AssertValid(TestReceipts.Validate(receipt, context)))
            .ToList();

        foreach (var day in new[] { SampleDay, Today() })
        {
            var scored = sales.Select(sale => (sale.MemberId, Score: PointsCalculator.ScoreSale(
                sale.Lines.Select(line => new ClassifiedLine(line.LineNumber, line.Gtin14, line.Amount, line.Gtin14 is null ? [] : snapshot.Classify(line.Gtin14, day))), rules))).ToList();
            var byMember = scored.Where(sale => sale.MemberId is not null).GroupBy(sale => sale.MemberId!).ToDictionary(group => group.Key, group => group.Sum(sale => sale.Score.Lines.Sum(line => line.Points)));

            Assert.True(scored.Count(sale => sale.Score.Capped) >= 10, $"{day}: few receipts reach the receipt cap.");
            Assert.Contains(scored, sale => sale.Score.Capped && sale.Score.Lines.Count(line => line.Points > 0 && line.Qualifies) >= 2 && sale.Score.Lines.Any(line => line.Qualifies && line.Points == 0));
            Assert.Equal(25000, byMember["GMDAYCAP01"]);
            Assert.Equal(20120, byMember["GMDAYCAP02"]);
            Assert.True(scored.Count(sale => sale.Score.Lines.Sum(line => line.Points) > 0) > 140, $"{day}: few sales earn points.");
        }
    }

    private static decimal Bought(Dictionary<string, JsonObject> sales, (string Sale, int Line) key) =>
        (decimal)sales[key.Sale]["lines"]!.AsArray().Single(line => (int)line!["lineNumber"]! == key.Line)!["quantity"]!;

    private static async Task<ProductListIndex> LoadAsync(string file, string listId)
    {
        await using var csv = File.OpenRead(Path.Combine(SampleFolder, file));
        return await ProductListIndex.LoadAsync(csv, listId, "sample", CancellationToken.None);
    }

    private static List<Dictionary<string, string>> ReadList(string file)
    {
        using var reader = new StreamReader(Path.Combine(SampleFolder, file), Encoding.UTF8);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture) { TrimOptions = TrimOptions.None });
        csv.Read();
        csv.ReadHeader();
        var rows = new List<Dictionary<string, string>>();
        while (csv.Read())
        {
            rows.Add(csv.HeaderRecord!.ToDictionary(name => name, name => csv.GetField(name)!, StringComparer.Ordinal));
        }

        return rows;
    }

    private static bool Covers(Dictionary<string, string> row, DateOnly day) => Date(row["valid_from"]) <= day && day <= Date(row["valid_to"]) && row["status"] == "valid";

    private static DateOnly Date(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static DateTimeOffset Instant(JsonObject receipt) => DateTimeOffset.Parse((string)receipt["issuedAt"]!, CultureInfo.InvariantCulture);

    private static string Gtin14(string gtin) => gtin.PadLeft(14, '0');

    /// <summary>Today in Shanghai: the day the tests that post samples re-date them to.</summary>
    private static DateOnly Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TestReceipts.Shanghai).DateTime);

    private static string FirstDifference(byte[] committed, byte[] generated)
    {
        var committedLines = Encoding.UTF8.GetString(committed).Split('\n');
        var generatedLines = Encoding.UTF8.GetString(generated).Split('\n');
        var line = 0;
        while (line < committedLines.Length && line < generatedLines.Length && committedLines[line] == generatedLines[line])
        {
            line++;
        }

        static string At(string[] lines, int index) => index < lines.Length ? lines[index].TrimEnd('\r') : "(end of file)";
        return $"differs from what the generator writes at line {line + 1}: committed `{At(committedLines, line)}`, generated `{At(generatedLines, line)}`";
    }
}
