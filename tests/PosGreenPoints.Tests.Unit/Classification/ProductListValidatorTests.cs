using System.Text;
using PosGreenPoints.Functions.Classification;
using static PosGreenPoints.Tests.Unit.Classification.TestLists;

namespace PosGreenPoints.Tests.Unit.Classification;

public sealed class ProductListValidatorTests
{
    private static readonly string A = Gtin13(1);
    private static readonly string B = Gtin13(2);
    private static readonly string C = Gtin13(3);

    [Theory]
    [InlineData("certified-green.csv", 3060)]
    [InlineData("low-voc.csv", 767)]
    public async Task The_sample_lists_are_valid(string file, int rows)
    {
        var rule = file.StartsWith("certified", StringComparison.Ordinal) ? CertifiedGreen : LowVoc;
        await using var csv = File.OpenRead(Path.Combine(SampleDirectory, file));

        var validation = await new ProductListValidator(rule).ValidateAsync(csv, CancellationToken.None);

        Assert.Empty(validation.Errors);
        Assert.True(validation.IsValid);
        Assert.Equal(rows, validation.RowCount);
    }

    [Fact]
    public async Task A_bad_check_digit_is_reported_at_its_row_and_column()
    {
        var wrong = A[..^1] + (char)('0' + ((A[^1] - '0' + 1) % 10));

        var validation = await ValidateAsync(CertifiedGreen, Lines(GreenHeader, GreenRow(A), GreenRow(wrong), GreenRow(C)));

        var error = Assert.Single(validation.Errors);
        Assert.Equal((2, "gtin"), (error.Row, error.Column));
        Assert.Contains("check digit", error.Reason, StringComparison.Ordinal);
        Assert.Equal(1, validation.ErrorCount);
        Assert.Equal(3, validation.RowCount);
    }

    [Theory]
    [InlineData("69012345678")]
    [InlineData("6901234567892 ")]
    [InlineData("690123456789X")]
    [InlineData("")]
    public async Task A_value_that_is_no_gtin_is_reported(string gtin)
    {
        var validation = await ValidateAsync(CertifiedGreen, Lines(GreenHeader, GreenRow(gtin)));

        var error = Assert.Single(validation.Errors);
        Assert.Equal((1, "gtin"), (error.Row, error.Column));
    }

    [Fact]
    public async Task Overlapping_windows_of_one_gtin_are_an_error_at_the_later_row_naming_the_earlier()
    {
        var validation = await ValidateAsync(CertifiedGreen, Lines(
            GreenHeader,
            GreenRow(A, "2024-01-01", "2026-06-30"),
            GreenRow(B),
            GreenRow(A, "2026-06-30", "2029-06-29")));

        var error = Assert.Single(validation.Errors);
        Assert.Equal((3, "gtin"), (error.Row, error.Column));
        Assert.Contains("row 1", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_overlap_is_found_whatever_the_row_order_and_between_the_forms_of_one_gtin()
    {
        // 6901234567892 as GTIN-14, and its renewal listed first with an earlier start that overlaps.
        var validation = await ValidateAsync(CertifiedGreen, Lines(
            GreenHeader,
            GreenRow("6901234567892", "2026-01-01", "2028-12-31"),
            GreenRow(B),
            GreenRow("06901234567892", "2023-01-01", "2026-01-01")));

        var error = Assert.Single(validation.Errors);
        Assert.Equal((3, "gtin"), (error.Row, error.Column));
        Assert.Contains("row 1", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_window_inside_a_long_earlier_one_overlaps_it_even_after_a_short_one()
    {
        var validation = await ValidateAsync(CertifiedGreen, Lines(
            GreenHeader,
            GreenRow(A, "2020-01-01", "2030-12-31"),
            GreenRow(A, "2021-01-01", "2021-12-31"),
            GreenRow(A, "2025-01-01", "2025-12-31")));

        Assert.Equal([(2, "gtin"), (3, "gtin")], validation.Errors.Select(error => (error.Row, error.Column)));
        Assert.All(validation.Errors, error => Assert.Contains("row 1", error.Reason, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_renewed_certificate_with_consecutive_windows_is_valid()
    {
        var validation = await ValidateAsync(CertifiedGreen, Lines(
            GreenHeader,
            GreenRow(A, "2021-07-28", "2024-07-27", certificate: "GP202100000001"),
            GreenRow(A, "2024-07-28", "2027-07-28", certificate: "GP202400000001")));

        Assert.True(validation.IsValid);
    }

    [Theory]
    [InlineData("2026-02-30")]
    [InlineData("2100-02-29")]
    [InlineData("2026-13-01")]
    [InlineData("2026-00-10")]
    [InlineData("0000-01-01")]
    [InlineData("2026-3-15")]
    [InlineData("２０２６-03-15")]
    [InlineData("+026-03-15")]
    [InlineData("2026/03/15")]
    [InlineData("15.03.2026")]
    [InlineData("2026-03-15T00:00:00")]
    [InlineData(" 2026-03-15")]
    [InlineData("")]
    public async Task A_date_that_is_not_yyyy_MM_dd_is_reported_at_its_column(string date)
    {
        var validation = await ValidateAsync(CertifiedGreen, Lines(GreenHeader, GreenRow(A), GreenRow(B, validTo: date)));

        var error = Assert.Single(validation.Errors);
        Assert.Equal((2, "valid_to"), (error.Row, error.Column));
    }

    [Fact]
    public async Task Valid_from_after_valid_to_is_reported_at_valid_from()
    {
        var validation = await ValidateAsync(CertifiedGreen, Lines(GreenHeader, GreenRow(A, "2026-03-16", "2026-03-15")));

        var error = Assert.Single(validation.Errors);
        Assert.Equal((1, "valid_from"), (error.Row, error.Column));
    }

    [Theory]
    [InlineData("2024-02-29")]
    [InlineData("2000-02-29")]
    [InlineData("0001-01-01")]
    [InlineData("9999-12-31")]
    public async Task Any_calendar_date_as_yyyy_MM_dd_is_valid(string date)
    {
        var validation = await ValidateAsync(CertifiedGreen, Lines(GreenHeader, GreenRow(A, date, date)));

        Assert.True(validation.IsValid, string.Join("; ", validation.Errors));
    }

    [Fact]
    public async Task A_one_day_window_is_valid()
    {
        var validation = await ValidateAsync(CertifiedGreen, Lines(GreenHeader, GreenRow(A, "2026-03-15", "2026-03-15")));

        Assert.True(validation.IsValid);
    }

    [Fact]
    public async Task A_missing_required_column_is_reported_by_name_on_the_header_row()
    {
        var header = GreenHeader.Replace(",status", "", StringComparison.Ordinal);
        var row = GreenRow(A)[..GreenRow(A).LastIndexOf(',')];

        var validation = await ValidateAsync(CertifiedGreen, Lines(header, row));

        var error = Assert.Single(validation.Errors);
        Assert.Equal((0, "status"), (error.Row, error.Column));
        Assert.Equal(0, validation.RowCount);
    }

    [Fact]
    public async Task A_column_name_that_differs_in_case_or_spaces_is_missing_and_the_near_name_is_shown()
    {
        var validation = await ValidateAsync(LowVoc, Lines(LowVocHeader.Replace("gtin", "GTIN ", StringComparison.Ordinal), LowVocRow(A)));

        var error = Assert.Single(validation.Errors);
        Assert.Equal((0, "gtin"), (error.Row, error.Column));
        Assert.Contains("'GTIN '", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_column_named_twice_or_not_at_all_is_a_header_error()
    {
        var validation = await ValidateAsync(LowVoc, Lines(LowVocHeader + ",category,", LowVocRow(A) + ",x,"));

        Assert.Equal([(0, "category"), (0, null)], validation.Errors.Select(error => (error.Row, error.Column)));
    }

    [Theory]
    [InlineData("Valid")]
    [InlineData("expired")]
    [InlineData("")]
    [InlineData("valid ")]
    public async Task A_status_other_than_valid_suspended_or_revoked_is_reported(string status)
    {
        var validation = await ValidateAsync(CertifiedGreen, Lines(GreenHeader, GreenRow(A, status: "suspended"), GreenRow(B, status: "revoked"), GreenRow(C, status: status)));

        var error = Assert.Single(validation.Errors);
        Assert.Equal((3, "status"), (error.Row, error.Column));
    }

    [Fact]
    public async Task Text_of_200_characters_is_valid_and_of_201_is_reported_counting_characters_not_utf16_units()
    {
        var chinese = new string('绿', 200);
        var supplementary = string.Concat(Enumerable.Repeat("𠀀", 200));
        var tooLong = new string('a', 201);

        var validation = await ValidateAsync(CertifiedGreen, Lines(
            GreenHeader,
            GreenRow(A, productName: chinese),
            GreenRow(B, productName: supplementary),
            GreenRow(C, productName: tooLong)));

        var error = Assert.Single(validation.Errors);
        Assert.Equal((3, "product_name"), (error.Row, error.Column));
    }

    [Fact]
    public async Task A_column_the_rules_do_not_know_is_checked_as_text_and_otherwise_ignored()
    {
        var validation = await ValidateAsync(LowVoc, Lines(
            LowVocHeader + ",remark",
            LowVocRow(A) + ",备注",
            LowVocRow(B) + "," + new string('x', 201)));

        var error = Assert.Single(validation.Errors);
        Assert.Equal((2, "remark"), (error.Row, error.Column));
    }

    [Theory]
    [InlineData("")]
    [InlineData("GP2025000000000000000000000000000000000000000000000000000000000001")]
    public async Task A_certificate_number_must_have_1_to_64_characters(string certificate)
    {
        var validation = await ValidateAsync(CertifiedGreen, Lines(GreenHeader, GreenRow(A, certificate: certificate)));

        var error = Assert.Single(validation.Errors);
        Assert.Equal((1, "certificate_number"), (error.Row, error.Column));
    }

    [Fact]
    public async Task A_byte_order_mark_is_skipped()
    {
        await using var csv = Csv(Lines(GreenHeader, GreenRow(A)), byteOrderMark: true);

        var validation = await new ProductListValidator(CertifiedGreen).ValidateAsync(csv, CancellationToken.None);

        Assert.True(validation.IsValid, string.Join("; ", validation.Errors));
        Assert.Equal(1, validation.RowCount);
    }

    [Fact]
    public async Task Quoted_fields_hold_commas_quotes_and_line_breaks_and_a_multi_line_record_is_one_row()
    {
        var validation = await ValidateAsync(CertifiedGreen, Lines(
            GreenHeader,
            GreenRow(A, productName: "\"=HYPERLINK(\"\"http://x\"\"),地板\"\"\""),
            GreenRow(B, productName: "\"第一行\r\n第二行, 带逗号\""),
            GreenRow(C, status: "unknown")));

        var error = Assert.Single(validation.Errors);
        Assert.Equal((3, "status"), (error.Row, error.Column));
        Assert.Equal(3, validation.RowCount);
    }

    [Fact]
    public async Task Columns_may_come_in_any_order()
    {
        const string header = "status,valid_to,gtin,brand,valid_from,product_name,model,certified_company,category,certificate_number";

        var validation = await ValidateAsync(CertifiedGreen, Lines(
            header,
            $"valid,2027-12-31,{A},青禾,2025-01-01,地板,M-1,青禾家居有限公司,家具,GP1",
            $"revoked,2027-12-31,{B},青禾,2028-01-01,地板,M-1,青禾家居有限公司,家具,GP2"));

        var error = Assert.Single(validation.Errors);
        Assert.Equal((2, "valid_from"), (error.Row, error.Column));
    }

    [Fact]
    public async Task A_row_with_too_few_or_too_many_fields_is_reported_as_a_whole()
    {
        var validation = await ValidateAsync(LowVoc, Lines(LowVocHeader, LowVocRow(A) + ",extra", LowVocRow(B), $"{C},x"));

        Assert.Equal([(1, null), (3, null)], validation.Errors.Select(error => (error.Row, error.Column)));
    }

    [Fact]
    public async Task A_quote_after_a_closing_quote_is_reported_at_its_row_and_column()
    {
        var validation = await ValidateAsync(LowVoc, Lines(LowVocHeader, LowVocRow(A), LowVocRow(B, productName: "\"12\" 漆")));

        var error = Assert.Single(validation.Errors);
        Assert.Equal((2, "product_name"), (error.Row, error.Column));
    }

    [Fact]
    public async Task A_quote_never_closed_is_reported_without_reading_the_rest_into_one_field()
    {
        var rows = Enumerable.Range(10, 200).Select(number => LowVocRow(Gtin13(number)));

        var validation = await ValidateAsync(LowVoc, Lines([LowVocHeader, LowVocRow(A, productName: "\"未闭合"), .. rows]));

        var error = Assert.Single(validation.Errors);
        Assert.Equal(1, error.Row);
        Assert.False(validation.IsValid);
    }

    [Fact]
    public async Task Only_the_first_100_errors_are_listed_in_row_order_and_all_are_counted()
    {
        var rows = Enumerable.Range(1, 150).Select(number => LowVocRow(Gtin13(number), validFrom: "not a date"));
        var overlap = LowVocRow(Gtin13(1), "2026-01-01", "2026-12-31");

        var validation = await ValidateAsync(LowVoc, Lines([LowVocHeader, overlap, overlap, .. rows]));

        Assert.Equal(151, validation.ErrorCount);
        Assert.Equal(ProductListValidator.MaxReportedErrors, validation.Errors.Count);
        Assert.Equal((2, "gtin"), (validation.Errors[0].Row, validation.Errors[0].Column));
        Assert.Equal(Enumerable.Range(3, 99), validation.Errors.Skip(1).Select(error => error.Row));
    }

    [Fact]
    public async Task An_empty_file_or_a_header_without_rows_is_not_a_list()
    {
        var empty = await ValidateAsync(LowVoc, "");
        var headerOnly = await ValidateAsync(LowVoc, Lines(LowVocHeader));

        Assert.Equal(0, Assert.Single(empty.Errors).Row);
        Assert.Equal(0, Assert.Single(headerOnly.Errors).Row);
    }

    [Fact]
    public async Task Bytes_that_are_not_utf8_are_reported_for_the_file()
    {
        var bytes = Encoding.UTF8.GetBytes(Lines(LowVocHeader, LowVocRow(A))).Concat(new byte[] { 0xC3, 0x28, (byte)'\n' }).ToArray();

        var validation = await new ProductListValidator(LowVoc).ValidateAsync(new MemoryStream(bytes), CancellationToken.None);

        var error = Assert.Single(validation.Errors);
        Assert.Equal(0, error.Row);
        Assert.Contains("UTF-8", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_utf16_file_is_not_read_as_utf8()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(Lines(LowVocHeader, LowVocRow(A)))).ToArray();

        var validation = await new ProductListValidator(LowVoc).ValidateAsync(new MemoryStream(bytes), CancellationToken.None);

        Assert.False(validation.IsValid);
    }

    [Fact]
    public async Task Blank_lines_are_skipped_and_lf_line_ends_are_read()
    {
        var validation = await ValidateAsync(LowVoc, $"{LowVocHeader}\n{LowVocRow(A)}\n\n{LowVocRow(B, validFrom: "x")}\n");

        var error = Assert.Single(validation.Errors);
        Assert.Equal((2, "valid_from"), (error.Row, error.Column));
    }
}
