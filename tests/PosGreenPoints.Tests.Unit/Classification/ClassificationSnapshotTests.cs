using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Receipts;
using static PosGreenPoints.Tests.Unit.Classification.TestLists;

namespace PosGreenPoints.Tests.Unit.Classification;

public sealed class ClassificationSnapshotTests
{
    private static readonly string A = Gtin13(11);
    private static readonly string B = Gtin13(12);
    private static readonly string C = Gtin13(13);

    [Theory]
    [InlineData("2025-12-31", false)]
    [InlineData("2026-01-01", true)]
    [InlineData("2026-06-15", true)]
    [InlineData("2026-12-31", true)]
    [InlineData("2027-01-01", false)]
    public async Task A_line_matches_from_the_first_to_the_last_day_of_the_window_inclusive(string date, bool matches)
    {
        var snapshot = new ClassificationSnapshot([await LoadAsync(Lines(GreenHeader, GreenRow(A, "2026-01-01", "2026-12-31")))]);

        var result = snapshot.Classify(Gtin14(A), DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(matches, result.Count == 1);
    }

    [Theory]
    [InlineData("suspended")]
    [InlineData("revoked")]
    public async Task A_suspended_or_revoked_row_never_matches(string status)
    {
        var index = await LoadAsync(Lines(GreenHeader, GreenRow(A, status: status), GreenRow(B)));
        var snapshot = new ClassificationSnapshot([index]);

        Assert.Empty(snapshot.Classify(Gtin14(A), new DateOnly(2026, 3, 15)));
        Assert.Single(snapshot.Classify(Gtin14(B), new DateOnly(2026, 3, 15)));
        Assert.Equal(2, index.RowCount);
        Assert.Equal(1, index.MatchableRowCount);
    }

    [Fact]
    public async Task A_renewed_certificate_matches_the_row_whose_window_holds_the_date()
    {
        var snapshot = new ClassificationSnapshot([await LoadAsync(Lines(
            GreenHeader,
            GreenRow(A, "2024-07-28", "2027-07-28", certificate: "GP-NEW"),
            GreenRow(B),
            GreenRow(A, "2021-07-28", "2024-07-27", certificate: "GP-OLD")))]);

        Assert.Equal("GP-OLD", Assert.Single(snapshot.Classify(Gtin14(A), new DateOnly(2024, 7, 27))).CertificateNumber);
        Assert.Equal("GP-NEW", Assert.Single(snapshot.Classify(Gtin14(A), new DateOnly(2024, 7, 28))).CertificateNumber);
        Assert.Empty(snapshot.Classify(Gtin14(A), new DateOnly(2021, 7, 27)));
        Assert.Empty(snapshot.Classify(Gtin14(A), new DateOnly(2027, 7, 29)));
    }

    [Theory]
    [InlineData("96385074")]
    [InlineData("036000291452")]
    [InlineData("4006381333931")]
    public async Task A_short_gtin_line_matches_its_14_digit_row_and_the_other_way_round(string shortGtin)
    {
        Assert.True(Gtin.TryNormalize(shortGtin, out var gtin14));
        var listedShort = new ClassificationSnapshot([await LoadAsync(Lines(GreenHeader, GreenRow(shortGtin)))]);
        var listedLong = new ClassificationSnapshot([await LoadAsync(Lines(GreenHeader, GreenRow(gtin14)))]);
        var date = new DateOnly(2026, 3, 15);

        Assert.Single(listedShort.Classify(gtin14, date));
        Assert.Single(listedLong.Classify(gtin14, date));
        Assert.Single(listedLong.Classify(shortGtin, date));
    }

    [Fact]
    public async Task A_line_on_both_lists_matches_both_in_list_id_order_with_their_versions()
    {
        var lowVoc = await LoadAsync(Lines(LowVocHeader, LowVocRow(A, productName: "低VOC漆"), LowVocRow(C)), "low-voc", "v7");
        var green = await LoadAsync(Lines(GreenHeader, GreenRow(A, certificate: "GP-1", productName: "绿色漆"), GreenRow(B)), "certified-green", "v3");
        var snapshot = new ClassificationSnapshot([lowVoc, green]);
        var date = new DateOnly(2026, 3, 15);

        Assert.Equal(
            [new ListMatch("certified-green", "v3", "GP-1", "绿色漆"), new ListMatch("low-voc", "v7", null, "低VOC漆")],
            snapshot.Classify(Gtin14(A), date));
        Assert.Equal([new ListMatch("certified-green", "v3", "GP202500000001", "青禾实木复合地板")], snapshot.Classify(Gtin14(B), date));
        Assert.Equal("low-voc", Assert.Single(snapshot.Classify(Gtin14(C), date)).ListId);
        Assert.Equal(new Dictionary<string, string> { ["certified-green"] = "v3", ["low-voc"] = "v7" }, snapshot.Versions);
    }

    [Fact]
    public async Task A_miss_answers_one_shared_empty_list()
    {
        var snapshot = new ClassificationSnapshot([await LoadAsync(Lines(GreenHeader, GreenRow(A)))]);
        var missing = Gtin14(B);
        var date = new DateOnly(2026, 3, 15);
        var first = snapshot.Classify(missing, date);
        // Allocation counts belong to the benchmark: tiered compilation allocates on the calling thread
        // at unpredictable moments, which made a byte count here flaky.
        Assert.Same(first, snapshot.Classify("not a gtin", date));
        Assert.Same(first, snapshot.Classify(missing, date.AddDays(1)));
        Assert.Empty(first);
    }

    [Fact]
    public void The_empty_snapshot_matches_nothing_and_has_no_versions()
    {
        Assert.Empty(ClassificationSnapshot.Empty.Classify(Gtin14(A), new DateOnly(2026, 3, 15)));
        Assert.Empty(ClassificationSnapshot.Empty.Versions);
    }

    [Fact]
    public async Task Two_versions_of_one_list_cannot_be_in_one_snapshot()
    {
        var first = await LoadAsync(Lines(GreenHeader, GreenRow(A)), version: "v1");
        var second = await LoadAsync(Lines(GreenHeader, GreenRow(A)), version: "v2");

        Assert.Throws<ArgumentException>(() => new ClassificationSnapshot([first, second]));
    }

    [Theory]
    [InlineData("certified-green.csv", "certified-green", 3060, 2877)]
    [InlineData("low-voc.csv", "low-voc", 767, 767)]
    public async Task The_sample_lists_load_keeping_the_rows_that_can_match(string file, string listId, int rows, int matchable)
    {
        await using var csv = File.OpenRead(Path.Combine(SampleDirectory, file));

        var index = await ProductListIndex.LoadAsync(csv, listId, "sample", CancellationToken.None);

        Assert.Equal((rows, matchable), (index.RowCount, index.MatchableRowCount));
    }

    [Fact]
    public async Task A_stored_version_that_breaks_the_rules_fails_to_load_naming_the_row()
    {
        var failure = await Assert.ThrowsAsync<InvalidDataException>(() => LoadAsync(Lines(GreenHeader, GreenRow(A), GreenRow(B, validTo: "someday"))));

        Assert.Contains("Row 2", failure.Message, StringComparison.Ordinal);
    }

    private static string Gtin14(string gtin) => Gtin.TryNormalize(gtin, out var gtin14) ? gtin14 : throw new ArgumentException(gtin);
}
