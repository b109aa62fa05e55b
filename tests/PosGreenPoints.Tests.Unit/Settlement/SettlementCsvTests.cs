using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using PosGreenPoints.Benchmarks;
using PosGreenPoints.Contracts.Settlements;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Settlement;

namespace PosGreenPoints.Tests.Unit.Settlement;

/// <summary>settlement.md, "Files": the exact bytes of a settlement file and the totals of its manifest.</summary>
public sealed class SettlementCsvTests
{
    private const string ChainId = "hualian";
    private const string HmacKey = "unit-test-settlement-key-0123456789abcdef";
    private static readonly DateOnly Day = new(2026, 3, 15);

    [Fact]
    public async Task Hostile_postings_give_exactly_the_golden_file()
    {
        var (bytes, _) = await WriteAsync(GoldenPostings());

        var golden = await File.ReadAllBytesAsync(Path.Combine(TestFolder(), "golden.csv"));
        Assert.Equal(Encoding.UTF8.GetString(golden), Encoding.UTF8.GetString(bytes));
        Assert.Equal(golden, bytes);
        Assert.Equal(Encoding.UTF8.Preamble.ToArray(), bytes[..3]);
    }

    [Fact]
    public async Task The_same_postings_give_byte_identical_files()
    {
        var (first, firstTotals) = await WriteAsync(GoldenPostings());
        var (second, secondTotals) = await WriteAsync(GoldenPostings());

        Assert.Equal(first, second);
        Assert.Equal(firstTotals.Sha256, secondTotals.Sha256);
    }

    [Fact]
    public async Task The_manifest_holds_the_expected_totals_and_file()
    {
        var (bytes, totals) = await WriteAsync(GoldenPostings());
        var generatedAt = new DateTimeOffset(2026, 3, 16, 2, 30, 4, TimeSpan.FromHours(8));

        var manifest = totals.ToManifest(ChainId, Day, "Asia/Shanghai", generatedAt);

        var expected = new SettlementManifest(
            1, ChainId, Day, "Asia/Shanghai",
            RowCount: 8,
            ReceiptCount: 5,
            QualifyingAmount: "85.65",
            PointsAwarded: 280,
            PointsReversed: 300,
            NetPoints: -20,
            [new StoreSettlement("SH-0001", 6, "230.10", 280), new StoreSettlement("SH-0002", 2, "-144.45", -300)],
            new SettlementFile("hualian-20260315.csv", bytes.Length, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))),
            ["default-2026", "default-2026b"],
            generatedAt);
        Assert.Equal(JsonSerializer.Serialize(expected, SettlementStore.Json), JsonSerializer.Serialize(manifest, SettlementStore.Json));
        Assert.Contains("\"generatedAt\":\"2026-03-16T02:30:04+08:00\"", JsonSerializer.Serialize(manifest, SettlementStore.Json), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Totals_recomputed_from_the_file_alone_equal_the_manifest()
    {
        var (bytes, totals) = await WriteAsync(GoldenPostings());

        using var reader = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        await csv.ReadAsync();
        csv.ReadHeader();
        Assert.Equal(SettlementCsv.Columns, csv.HeaderRecord);
        var rows = new List<(string Store, string ReceiptId, decimal Amount, long Points)>();
        while (await csv.ReadAsync())
        {
            Assert.Matches("^-?[0-9]+\\.[0-9]{2}$", csv.GetField("qualifying_amount"));
            rows.Add((csv.GetField("store_id")!, csv.GetField("receipt_id")!,
                decimal.Parse(csv.GetField("qualifying_amount")!, NumberStyles.Number | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
                long.Parse(csv.GetField("points")!, CultureInfo.InvariantCulture)));
        }

        Assert.Equal(totals.RowCount, rows.Count);
        Assert.Equal(totals.ReceiptCount, rows.Select(row => row.ReceiptId).Distinct().Count());
        Assert.Equal(totals.QualifyingAmount, rows.Sum(row => row.Amount));
        Assert.Equal(totals.PointsAwarded, rows.Where(row => row.Points > 0).Sum(row => row.Points));
        Assert.Equal(totals.PointsReversed, -rows.Where(row => row.Points < 0).Sum(row => row.Points));
        Assert.Equal(
            totals.Stores.Select(store => (store.StoreId, store.RowCount, store.QualifyingAmount, store.NetPoints)),
            rows.GroupBy(row => row.Store).Select(group => (group.Key, group.Count(), SettlementCsv.Money(group.Sum(row => row.Amount)), group.Sum(row => row.Points))));
    }

    [Fact]
    public async Task An_empty_day_is_a_header_only_file_with_zero_totals()
    {
        var (bytes, totals) = await WriteAsync([]);

        Assert.Equal("\uFEFF" + string.Join(',', SettlementCsv.Columns) + "\r\n", Encoding.UTF8.GetString(bytes));
        var manifest = totals.ToManifest(ChainId, Day, "Asia/Shanghai", DateTimeOffset.UnixEpoch);
        Assert.Equal((0, 0, "0.00", 0L, 0L, 0L), (manifest.RowCount, manifest.ReceiptCount, manifest.QualifyingAmount, manifest.PointsAwarded, manifest.PointsReversed, manifest.NetPoints));
        Assert.Empty(manifest.Stores);
        Assert.Empty(manifest.RulesVersions);
    }

    [Theory]
    [InlineData("=cmd", "'=cmd")]
    [InlineData("+1", "'+1")]
    [InlineData("-1+1", "'-1+1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "'\rx")]
    [InlineData("a=b", "a=b")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Text_cells_that_a_spreadsheet_would_evaluate_are_neutralised(string? text, string expected) =>
        Assert.Equal(expected, SettlementCsv.Neutralise(text));

    [Fact]
    public void Member_refs_are_keyed_per_chain_stable_and_32_hex_characters()
    {
        var pseudonyms = new MemberPseudonyms(HmacKey);

        var memberRef = pseudonyms.Of(ChainId, "M001");

        Assert.Matches("^[0-9a-f]{32}$", memberRef);
        Assert.Equal(memberRef, new MemberPseudonyms(HmacKey).Of(ChainId, "M001"));
        Assert.NotEqual(memberRef, pseudonyms.Of("other-chain", "M001"));
        Assert.NotEqual(memberRef, new MemberPseudonyms(HmacKey + "x").Of(ChainId, "M001"));
    }

    [Fact]
    public async Task Postings_out_of_file_order_are_refused()
    {
        var postings = GoldenPostings();
        postings.Reverse();

        await Assert.ThrowsAsync<InvalidOperationException>(() => WriteAsync(postings));
    }

    [Fact]
    public async Task The_benchmark_hook_writes_the_number_of_postings_asked_for()
    {
        using var sink = new MemoryStream();

        var totals = await SettlementBenchmark.WriteSyntheticAsync(10_000, sink, CancellationToken.None);

        Assert.Equal(10_000, totals.RowCount);
        Assert.Equal(sink.Length, totals.Bytes);
        Assert.Equal(totals.PointsAwarded - totals.PointsReversed, totals.Stores.Sum(store => store.NetPoints));
    }

    private static async Task<(byte[] Bytes, SettlementTotals Totals)> WriteAsync(IEnumerable<LedgerPosting> postings)
    {
        using var destination = new MemoryStream();
        var totals = await SettlementCsv.WriteAsync(ChainId, ToAsync(postings), destination, new MemberPseudonyms(HmacKey), CancellationToken.None);
        Assert.Equal(destination.Length, totals.Bytes);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(destination.ToArray())), totals.Sha256);
        return (destination.ToArray(), totals);
    }

    private static async IAsyncEnumerable<LedgerPosting> ToAsync(IEnumerable<LedgerPosting> postings)
    {
        foreach (var posting in postings)
        {
            await Task.Yield();
            yield return posting;
        }
    }

    /// <summary>In ledger (file) order. Two receipts numbered 000102 on different business dates interleave by line.</summary>
    private static List<LedgerPosting> GoldenPostings() =>
    [
        Posting("SH-0001", "POS-01", "000101", "2026-03-15", 1, "sale", "M001", "=cmd|' /C calc'!A0", "100.00", 150),
        Posting("SH-0001", "POS-01", "000101", "2026-03-15", 2, "sale", "M001", "+1", "10.00", 15),
        // A line that matched a list but whose points a cap cut to 0: still settled.
        Posting("SH-0001", "POS-01", "000101", "2026-03-15", 3, "sale", "M001", "-1+1", "0.50", 0),
        Posting("SH-0001", "POS-01", "000102", "2026-03-14", 1, "sale", "M002", "@SUM(A1)", "20.00", 30),
        Posting("SH-0001", "POS-01", "000102", "2026-03-15", 1, "sale", "M003", "\tTabbed", "30.00", 45, rulesVersion: "default-2026b"),
        Posting("SH-0001", "POS-01", "000102", "2026-03-14", 2, "sale", "M002", "say \"hi\", ok", "69.60", 40),
        Posting("SH-0002", "POS-01", "000201", "2026-03-15", 1, "return", null, "节能冰箱\nBCD-215", "-200.00", -300, certificate: "-CERT-7"),
        Posting("SH-0002", "POS-02", "000007", "2026-03-15", 1, "sale", null, "环保涂料 低VOC, 5L", "55.55", 0, certificate: null),
    ];

    private static LedgerPosting Posting(
        string store, string terminal, string number, string businessDate, int line, string type, string? memberId, string productName, string amount, long points,
        string? certificate = "CGP-2026-0001", string rulesVersion = "default-2026")
    {
        var receiptId = $"{ChainId}~{store}~{businessDate.Replace("-", "", StringComparison.Ordinal)}~{terminal}~{number}";
        return new LedgerPosting
        {
            ChainId = ChainId,
            PostingDate = "2026-03-15",
            BusinessDate = businessDate,
            StoreId = store,
            TerminalId = terminal,
            ReceiptNumber = number,
            ReceiptId = receiptId,
            ReceiptType = type,
            MemberId = memberId,
            LineNumber = line,
            Gtin = "06901234567892",
            ProductName = productName,
            MatchedLists = "certified-green;low-voc",
            CertificateNumber = certificate,
            ListVersions = "2026-03-01.1;2026-03-02.1",
            QualifyingAmount = amount,
            Points = points,
            RulesVersion = rulesVersion,
        };
    }

    private static string TestFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
