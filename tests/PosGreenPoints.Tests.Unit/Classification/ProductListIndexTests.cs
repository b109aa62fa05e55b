using System.Globalization;
using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Receipts;
using static PosGreenPoints.Tests.Unit.Classification.TestLists;

namespace PosGreenPoints.Tests.Unit.Classification;

/// <summary>The index's hash table and the matches it makes once, seen through classification.</summary>
public sealed class ProductListIndexTests
{
    private static readonly DateOnly Date = new(2026, 3, 15);

    [Fact]
    public async Task A_hit_hands_out_the_match_made_at_load_every_time()
    {
        var snapshot = new ClassificationSnapshot([await LoadAsync(Lines(GreenHeader, GreenRow(Gtin13(1), certificate: "GP-1")))]);

        var first = Assert.Single(snapshot.Classify(Gtin14(Gtin13(1)), Date));
        var again = Assert.Single(snapshot.Classify(Gtin14(Gtin13(1)), Date.AddDays(100)));
        var shortForm = Assert.Single(snapshot.Classify(Gtin13(1), Date));

        Assert.Equal(new ListMatch("certified-green", "v1", "GP-1", "青禾实木复合地板"), first);
        Assert.Same(first, again);
        Assert.Same(first, shortForm);
    }

    [Fact]
    public async Task A_line_on_two_lists_gets_each_list_s_own_match()
    {
        var green = await LoadAsync(Lines(GreenHeader, GreenRow(Gtin13(1))), "certified-green");
        var lowVoc = await LoadAsync(Lines(LowVocHeader, LowVocRow(Gtin13(1))), "low-voc");
        var greenOnly = Assert.Single(new ClassificationSnapshot([green]).Classify(Gtin14(Gtin13(1)), Date));
        var lowVocOnly = Assert.Single(new ClassificationSnapshot([lowVoc]).Classify(Gtin14(Gtin13(1)), Date));

        var both = new ClassificationSnapshot([lowVoc, green]).Classify(Gtin14(Gtin13(1)), Date);

        Assert.Equal(2, both.Count);
        Assert.Same(greenOnly, both[0]);
        Assert.Same(lowVocOnly, both[1]);
    }

    [Theory]
    [InlineData("00000000000000")]
    [InlineData("00000000")]
    [InlineData("99999999999997")]
    [InlineData("10000000000007")]
    public async Task The_edge_gtins_are_found_and_nothing_else_is(string gtin)
    {
        Assert.True(Gtin.TryNormalize(gtin, out var gtin14));
        var snapshot = new ClassificationSnapshot([await LoadAsync(Lines(GreenHeader, GreenRow(gtin)))]);

        Assert.Single(snapshot.Classify(gtin14, Date));
        Assert.Single(snapshot.Classify(gtin, Date));
        foreach (var other in new[] { "00000000000000", "99999999999997", "10000000000007", Gtin14(Gtin13(1)) }.Where(other => other != gtin14))
        {
            Assert.Empty(snapshot.Classify(other, Date));
        }
    }

    [Fact]
    public async Task The_rows_of_one_gtin_are_all_found_wherever_they_are_in_the_file()
    {
        // Eleven yearly certificates of one GTIN, interleaved with other rows: in a table this small their
        // probe sequence runs over the others' and wraps around its end.
        var gtin = Gtin13(7);
        var lines = new List<string> { GreenHeader };
        for (var year = 2016; year <= 2026; year++)
        {
            lines.Add(GreenRow(gtin, $"{year}-01-01", $"{year}-12-31", certificate: $"GP-{year}"));
            lines.Add(GreenRow(Gtin13(year)));
        }

        var snapshot = new ClassificationSnapshot([await LoadAsync(Lines([.. lines]))]);

        for (var year = 2016; year <= 2026; year++)
        {
            Assert.Equal($"GP-{year}", Assert.Single(snapshot.Classify(Gtin14(gtin), new DateOnly(year, 6, 1))).CertificateNumber);
            Assert.Equal($"GP-{year}", Assert.Single(snapshot.Classify(Gtin14(gtin), new DateOnly(year, 12, 31))).CertificateNumber);
        }

        Assert.Empty(snapshot.Classify(Gtin14(gtin), new DateOnly(2015, 12, 31)));
        Assert.Empty(snapshot.Classify(Gtin14(gtin), new DateOnly(2027, 1, 1)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(2000)]
    public async Task Every_listed_gtin_is_found_and_no_unlisted_one_though_they_share_slots(int rows)
    {
        // Listed: even numbers; unlisted: odd ones. In small tables most unlisted GTINs hash to a slot that
        // a listed one holds, so their probes must step over it; in every table some probes wrap around.
        var lines = new List<string> { GreenHeader };
        lines.AddRange(Enumerable.Range(0, rows).Select(row => GreenRow(Gtin13(2 * row), certificate: $"GP-{row}")));
        var index = await LoadAsync(Lines([.. lines]));
        var snapshot = new ClassificationSnapshot([index]);

        Assert.Equal(rows, index.MatchableRowCount);
        for (var row = 0; row < rows; row++)
        {
            Assert.Equal($"GP-{row}", Assert.Single(snapshot.Classify(Gtin14(Gtin13(2 * row)), Date)).CertificateNumber);
        }

        for (var number = 1; number < Math.Max(2 * rows, 2000); number += 2)
        {
            Assert.Empty(snapshot.Classify(Gtin14(Gtin13(number)), Date));
        }
    }

    [Fact]
    public async Task A_list_with_no_row_that_can_match_matches_nothing()
    {
        var index = await LoadAsync(Lines(GreenHeader, GreenRow(Gtin13(1), status: "revoked")));

        Assert.Equal((1, 0), (index.RowCount, index.MatchableRowCount));
        Assert.Empty(new ClassificationSnapshot([index]).Classify(Gtin14(Gtin13(1)), Date));
        Assert.Empty(new ClassificationSnapshot([await LoadAsync(Lines(GreenHeader))]).Classify(Gtin14(Gtin13(1)), Date));
    }

    [Fact]
    public async Task Rows_with_the_same_product_name_share_one_string_and_an_empty_name_is_none()
    {
        var snapshot = new ClassificationSnapshot([await LoadAsync(Lines(
            GreenHeader,
            GreenRow(Gtin13(1), productName: "节水坐便器"),
            GreenRow(Gtin13(2), productName: "节水坐便器"),
            GreenRow(Gtin13(3), productName: "")))]);

        var first = Assert.Single(snapshot.Classify(Gtin14(Gtin13(1)), Date)).ProductName;
        var second = Assert.Single(snapshot.Classify(Gtin14(Gtin13(2)), Date)).ProductName;

        Assert.Equal("节水坐便器", first);
        Assert.Same(first, second);
        Assert.Null(Assert.Single(snapshot.Classify(Gtin14(Gtin13(3)), Date)).ProductName);
    }

    [Fact]
    public void The_key_of_a_gtin_is_its_number_and_needs_the_14_digit_form()
    {
        Assert.Equal(0L, ProductListIndex.GtinKey("00000000000000"));
        Assert.Equal(99_999_999_999_997L, ProductListIndex.GtinKey("99999999999997"));
        Assert.Equal(long.Parse(Gtin13(1), CultureInfo.InvariantCulture), ProductListIndex.GtinKey(Gtin14(Gtin13(1))));
        Assert.Throws<ArgumentException>(() => ProductListIndex.GtinKey(Gtin13(1)));
        Assert.Throws<ArgumentException>(() => ProductListIndex.GtinKey("0000000000000x"));
    }

    private static string Gtin14(string gtin) => Gtin.TryNormalize(gtin, out var gtin14) ? gtin14 : throw new ArgumentException(gtin);
}
