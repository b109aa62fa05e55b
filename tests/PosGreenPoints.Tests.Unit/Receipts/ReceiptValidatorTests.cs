using System.Text.Json;
using System.Text.Json.Nodes;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Receipts;
using static PosGreenPoints.Tests.Unit.Receipts.TestReceipts;

namespace PosGreenPoints.Tests.Unit.Receipts;

public sealed class ReceiptValidatorTests
{
    private const string Removed = null!;

    [Fact]
    public void The_api_md_example_is_valid_and_typed()
    {
        var receipt = AssertValid(Validate(Sale()));

        Assert.Equal("hualian", receipt.ChainId);
        Assert.Equal("SH-0012", receipt.StoreId);
        Assert.Equal("POS-03", receipt.TerminalId);
        Assert.Equal("20260315-000123", receipt.ReceiptNumber);
        Assert.Equal(new DateTimeOffset(2026, 3, 15, 10, 42, 11, TimeSpan.FromHours(8)), receipt.IssuedAt);
        Assert.Equal(TimeSpan.FromHours(8), receipt.IssuedAt.Offset);
        Assert.Equal(new DateOnly(2026, 3, 15), receipt.BusinessDate);
        Assert.Equal("CNY", receipt.Currency);
        Assert.Equal(ReceiptTypes.Sale, receipt.Type);
        Assert.False(receipt.IsReturn);
        Assert.Equal("GM7Q2K9X", receipt.MemberId);
        Assert.Null(receipt.OriginalReceipt);
        Assert.Equal(248.00m, receipt.Total);
        var line = Assert.Single(receipt.Lines);
        Assert.Equal(new ValidatedReceiptLine(1, "06901234567892", "A-1001", "水性木器漆 1L", 2m, 129m, 10m, 248m, null), line);
    }

    [Fact]
    public void A_return_is_valid_with_its_original_receipt_and_its_business_date()
    {
        var receipt = AssertValid(Validate(Return()));

        Assert.True(receipt.IsReturn);
        Assert.Equal(
            new ValidatedOriginalReceipt("SH-0012", "POS-03", "20260315-000123", new DateTimeOffset(2026, 3, 15, 10, 42, 11, TimeSpan.FromHours(8)), new DateOnly(2026, 3, 15)),
            receipt.OriginalReceipt);
        Assert.Equal(1, Assert.Single(receipt.Lines).OriginalLineNumber);
    }

    public static TheoryData<string, string?, string> IdentifierViolations => new()
    {
        { "chainId", "\"\"", "chainId" },
        { "chainId", Quoted(new string('a', 65)), "chainId" },
        { "chainId", "\"hua lian\"", "chainId" },
        { "chainId", "\"华联\"", "chainId" },
        { "chainId", "\"hualian\\n\"", "chainId" },
        { "chainId", "\"hualian~x\"", "chainId" },
        { "chainId", "42", "chainId" },
        { "chainId", "true", "chainId" },
        { "chainId", "{}", "chainId" },
        { "chainId", "[\"hualian\"]", "chainId" },
        { "chainId", "null", "chainId" },
        { "chainId", Removed, "chainId" },
        { "storeId", "\"SH/0012\"", "storeId" },
        { "storeId", Removed, "storeId" },
        { "terminalId", "\"POS 03\"", "terminalId" },
        { "terminalId", "3", "terminalId" },
        { "receiptNumber", "\"20260315#123\"", "receiptNumber" },
        { "receiptNumber", "20260315000123", "receiptNumber" },
        { "memberId", "\"GM.7Q2K9X\"", "memberId" },
        { "memberId", "\"\"", "memberId" },
        { "memberId", Quoted(new string('M', 65)), "memberId" },
        { "memberId", "12345678", "memberId" },
    };

    [Theory]
    [MemberData(nameof(IdentifierViolations))]
    public void An_identifier_outside_1_to_64_of_its_characters_is_rejected_at_its_path(string target, string? json, string expectedPath) =>
        AssertRejectedAt(Validate(Sale().With(target, json)), expectedPath);

    [Theory]
    [InlineData("chainId")]
    [InlineData("storeId")]
    [InlineData("terminalId")]
    [InlineData("receiptNumber")]
    public void Identifiers_of_64_letters_digits_dots_underscores_and_hyphens_are_valid(string field)
    {
        var value = "A.b_c-9" + new string('x', 57);
        var context = new ReceiptValidationContext(Now, 30, _ => Shanghai);

        var receipt = AssertValid(Validate(Sale().With(field, Quoted(value)), context));

        Assert.Contains(value, new[] { receipt.ChainId, receipt.StoreId, receipt.TerminalId, receipt.ReceiptNumber });
    }

    [Fact]
    public void A_member_id_of_64_letters_digits_underscores_and_hyphens_is_valid()
    {
        var memberId = "GM_7-" + new string('q', 59);

        Assert.Equal(memberId, AssertValid(Validate(Sale().With("memberId", Quoted(memberId)))).MemberId);
    }

    [Theory]
    [InlineData("null")]
    [InlineData(Removed)]
    public void A_receipt_without_a_member_is_valid(string? memberId) =>
        Assert.Null(AssertValid(Validate(Sale().With("memberId", memberId))).MemberId);

    public static TheoryData<string, string?, string> IssuedAtViolations => new()
    {
        { "issuedAt", "\"2026-03-15T10:42:11\"", "issuedAt" },
        { "issuedAt", "\"2026-03-15T10:42:11.123\"", "issuedAt" },
        { "issuedAt", "\"2026-03-15 10:42:11+08:00\"", "issuedAt" },
        { "issuedAt", "\"2026-03-15\"", "issuedAt" },
        { "issuedAt", "\"2026-03-15T10:42+08:00\"", "issuedAt" },
        { "issuedAt", "\"2026-03-15T10:42:11+0800\"", "issuedAt" },
        { "issuedAt", "\"2026-03-15T10:42:11+08\"", "issuedAt" },
        { "issuedAt", "\"2026-03-15T10:42:11.+08:00\"", "issuedAt" },
        { "issuedAt", "\"2026-3-15T10:42:11+08:00\"", "issuedAt" },
        { "issuedAt", "\" 2026-03-15T10:42:11+08:00\"", "issuedAt" },
        { "issuedAt", "\"2026-03-15T10:42:11+08:00\\n\"", "issuedAt" },
        { "issuedAt", "\"20260315T104211+0800\"", "issuedAt" },
        { "issuedAt", "\"Sun, 15 Mar 2026 10:42:11 +0800\"", "issuedAt" },
        { "issuedAt", "\"03/15/2026 10:42:11 +08:00\"", "issuedAt" },
        { "issuedAt", "\"２０２６-03-15T10:42:11+08:00\"", "issuedAt" },
        { "issuedAt", "\"2026-02-30T10:42:11+08:00\"", "issuedAt" },
        { "issuedAt", "\"2026-03-15T24:00:00+08:00\"", "issuedAt" },
        { "issuedAt", "\"2026-03-15T10:60:00+08:00\"", "issuedAt" },
        { "issuedAt", "\"2026-03-15T10:42:60+08:00\"", "issuedAt" },
        { "issuedAt", "\"2026-03-15T10:42:11+14:01\"", "issuedAt" },
        { "issuedAt", "\"2026-03-15T10:42:11+08:60\"", "issuedAt" },
        { "issuedAt", "\"0000-01-01T00:00:00Z\"", "issuedAt" },
        { "issuedAt", "1773542531", "issuedAt" },
        { "issuedAt", "true", "issuedAt" },
        { "issuedAt", "{}", "issuedAt" },
        { "issuedAt", "null", "issuedAt" },
        { "issuedAt", Removed, "issuedAt" },
        { "issuedAt", Quoted("2026-03-15T10:42:11." + new string('1', 80) + "+08:00"), "issuedAt" },
    };

    [Theory]
    [MemberData(nameof(IssuedAtViolations))]
    public void An_issued_at_that_is_not_rfc_3339_with_an_offset_is_rejected(string target, string? json, string expectedPath) =>
        AssertRejectedAt(Validate(Sale().With(target, json)), expectedPath);

    [Theory]
    [InlineData("2026-03-15T10:42:11+08:00", "2026-03-15T10:42:11+08:00")]
    [InlineData("2026-03-15t10:42:11+08:00", "2026-03-15T10:42:11+08:00")]
    [InlineData("2026-03-15T02:42:11Z", "2026-03-15T02:42:11+00:00")]
    [InlineData("2026-03-15T02:42:11z", "2026-03-15T02:42:11+00:00")]
    [InlineData("2026-03-15T02:42:11-00:00", "2026-03-15T02:42:11+00:00")]
    [InlineData("2026-03-14T22:42:11-04:00", "2026-03-14T22:42:11-04:00")]
    [InlineData("2026-03-15T10:42:11.5+08:00", "2026-03-15T10:42:11.5000000+08:00")]
    [InlineData("2026-03-15T10:42:11.123456789+08:00", "2026-03-15T10:42:11.1234567+08:00")]
    [InlineData("2026-03-15T16:00:00+14:00", "2026-03-15T16:00:00+14:00")]
    public void An_issued_at_in_rfc_3339_with_an_offset_is_read_to_the_100_nanoseconds(string posted, string expected)
    {
        var receipt = AssertValid(Validate(Sale().With("issuedAt", Quoted(posted))));

        var expectedInstant = DateTimeOffset.ParseExact(expected, "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(expectedInstant, receipt.IssuedAt);
        Assert.Equal(expectedInstant.Offset, receipt.IssuedAt.Offset);
    }

    [Fact]
    public void Issued_at_exactly_10_minutes_ahead_of_now_is_valid() =>
        AssertValid(Validate(Sale().With("issuedAt", "\"2026-03-15T12:10:00+08:00\"")));

    [Theory]
    [InlineData("2026-03-15T12:10:01+08:00")]
    [InlineData("2026-03-15T12:10:00.0000001+08:00")]
    [InlineData("2026-03-15T04:10:01Z")]
    public void Issued_at_more_than_10_minutes_ahead_of_now_is_rejected(string issuedAt) =>
        AssertRejectedAt(Validate(Sale().With("issuedAt", Quoted(issuedAt))), "issuedAt");

    [Theory]
    [InlineData("2026-02-13T00:00:00+08:00")]
    [InlineData("2026-02-12T16:00:00Z")]
    [InlineData("2026-02-13T23:59:59+08:00")]
    public void A_business_date_exactly_max_age_days_before_today_is_valid(string issuedAt)
    {
        var receipt = AssertValid(Validate(Sale().With("issuedAt", Quoted(issuedAt)), Context(maxAgeDays: 30)));

        Assert.Equal(new DateOnly(2026, 2, 13), receipt.BusinessDate);
    }

    [Theory]
    [InlineData("2026-02-12T23:59:59+08:00")]
    [InlineData("2026-02-12T15:59:59Z")]
    [InlineData("2026-01-01T00:00:00+08:00")]
    public void A_business_date_one_day_more_than_max_age_days_before_today_is_rejected(string issuedAt) =>
        AssertRejectedAt(Validate(Sale().With("issuedAt", Quoted(issuedAt)), Context(maxAgeDays: 30)), "issuedAt");

    [Fact]
    public void Age_counts_business_days_in_the_chain_zone_not_hours()
    {
        // More than 30 × 24 hours before now, but on the oldest business date allowed.
        var context = Context(now: new DateTimeOffset(2026, 3, 15, 23, 59, 0, TimeSpan.FromHours(8)), maxAgeDays: 30);

        AssertValid(Validate(Sale().With("issuedAt", "\"2026-02-13T00:00:30+08:00\""), context));
        AssertRejectedAt(Validate(Sale().With("issuedAt", "\"2026-02-12T23:59:59+08:00\""), context), "issuedAt");
    }

    [Fact]
    public void With_max_age_zero_only_today_is_valid()
    {
        AssertValid(Validate(Sale().With("issuedAt", "\"2026-03-15T00:00:00+08:00\""), Context(maxAgeDays: 0)));
        AssertRejectedAt(Validate(Sale().With("issuedAt", "\"2026-03-14T23:59:59+08:00\""), Context(maxAgeDays: 0)), "issuedAt");
    }

    [Fact]
    public void The_business_date_is_the_date_in_shanghai_across_utc_midnight()
    {
        var context = Context(now: new DateTimeOffset(2026, 3, 16, 9, 0, 0, TimeSpan.FromHours(8)));

        var receipt = AssertValid(Validate(Sale().With("issuedAt", "\"2026-03-15T23:30:00+00:00\""), context));

        Assert.Equal(new DateOnly(2026, 3, 16), receipt.BusinessDate);
    }

    [Theory]
    [InlineData("2026-03-15T03:30:00+00:00", 2026, 3, 14)]
    [InlineData("2026-03-15T04:00:00+00:00", 2026, 3, 15)]
    [InlineData("2026-03-15T10:42:11+08:00", 2026, 3, 14)]
    [InlineData("2026-01-15T04:30:00+00:00", 2026, 1, 14)]
    [InlineData("2026-01-15T05:00:00+00:00", 2026, 1, 15)]
    public void The_business_date_is_the_date_in_the_chains_own_zone(string issuedAt, int year, int month, int day)
    {
        var receipt = AssertValid(Validate(Sale().With("chainId", Quoted(NewYorkChain)).With("issuedAt", Quoted(issuedAt)), Context(maxAgeDays: 90)));

        Assert.Equal(new DateOnly(year, month, day), receipt.BusinessDate);
    }

    [Fact]
    public void The_original_receipts_business_date_is_computed_in_the_chain_zone_too()
    {
        var context = Context(now: new DateTimeOffset(2026, 3, 16, 9, 0, 0, TimeSpan.FromHours(8)));
        var posted = Return().With("originalReceipt.issuedAt", "\"2026-03-15T23:30:00Z\"").With("issuedAt", "\"2026-03-16T08:00:00+08:00\"");

        var receipt = AssertValid(Validate(posted, context));

        Assert.Equal(new DateOnly(2026, 3, 16), receipt.OriginalReceipt!.BusinessDate);
    }

    [Fact]
    public void An_original_receipt_older_than_max_age_is_valid_because_returns_come_later() =>
        AssertValid(Validate(Return().With("originalReceipt.issuedAt", "\"2025-06-01T10:00:00+08:00\"")));

    public static TheoryData<string, string?, string> CurrencyAndTypeViolations => new()
    {
        { "currency", "\"RMB\"", "currency" },
        { "currency", "\"cny\"", "currency" },
        { "currency", "\"CNY \"", "currency" },
        { "currency", "156", "currency" },
        { "currency", "null", "currency" },
        { "currency", Removed, "currency" },
        { "type", "\"refund\"", "type" },
        { "type", "\"Sale\"", "type" },
        { "type", "\"\"", "type" },
        { "type", "0", "type" },
        { "type", Removed, "type" },
    };

    [Theory]
    [MemberData(nameof(CurrencyAndTypeViolations))]
    public void A_currency_other_than_cny_or_a_type_other_than_sale_or_return_is_rejected(string target, string? json, string expectedPath) =>
        AssertRejectedAt(Validate(Sale().With(target, json)), expectedPath);

    public static TheoryData<string, string?, string> ReturnViolations => new()
    {
        { "originalReceipt", Removed, "originalReceipt" },
        { "originalReceipt", "null", "originalReceipt" },
        { "originalReceipt", "\"20260315-000123\"", "originalReceipt" },
        { "originalReceipt", "[]", "originalReceipt" },
        { "originalReceipt.storeId", Removed, "originalReceipt.storeId" },
        { "originalReceipt.storeId", "\"SH 0012\"", "originalReceipt.storeId" },
        { "originalReceipt.terminalId", Removed, "originalReceipt.terminalId" },
        { "originalReceipt.terminalId", "7", "originalReceipt.terminalId" },
        { "originalReceipt.receiptNumber", Removed, "originalReceipt.receiptNumber" },
        { "originalReceipt.receiptNumber", "\"\"", "originalReceipt.receiptNumber" },
        { "originalReceipt.issuedAt", Removed, "originalReceipt.issuedAt" },
        { "originalReceipt.issuedAt", "\"2026-03-15T10:42:11\"", "originalReceipt.issuedAt" },
        { "originalReceipt.issuedAt", "\"2026-02-29T10:42:11+08:00\"", "originalReceipt.issuedAt" },
        { "lines[0].originalLineNumber", Removed, "lines[0].originalLineNumber" },
        { "lines[0].originalLineNumber", "null", "lines[0].originalLineNumber" },
        { "lines[0].originalLineNumber", "0", "lines[0].originalLineNumber" },
        { "lines[0].originalLineNumber", "-1", "lines[0].originalLineNumber" },
        { "lines[0].originalLineNumber", "1.5", "lines[0].originalLineNumber" },
        { "lines[0].originalLineNumber", "\"1\"", "lines[0].originalLineNumber" },
    };

    [Theory]
    [MemberData(nameof(ReturnViolations))]
    public void A_return_needs_its_original_receipt_and_each_lines_original_line_number(string target, string? json, string expectedPath) =>
        AssertRejectedAt(Validate(Return().With(target, json)), expectedPath);

    [Fact]
    public void A_sale_carrying_an_original_receipt_is_rejected()
    {
        var sale = Sale();
        sale["originalReceipt"] = Return()["originalReceipt"]!.DeepClone();

        AssertRejectedAt(Validate(sale), "originalReceipt");
    }

    [Fact]
    public void A_sale_line_carrying_an_original_line_number_is_rejected() =>
        AssertRejectedAt(Validate(Sale().With("lines[0].originalLineNumber", "1")), "lines[0].originalLineNumber");

    [Fact]
    public void Explicit_nulls_for_a_sales_return_fields_are_the_same_as_leaving_them_out() =>
        AssertValid(Validate(Sale().With("originalReceipt", "null").With("lines[0].originalLineNumber", "null")));

    [Fact]
    public void A_return_that_lists_one_original_line_twice_is_rejected_at_the_later_line()
    {
        var posted = Return();
        posted["lines"]!.AsArray().Add(JsonNode.Parse("""
            { "lineNumber": 2, "gtin": "6901234567892", "quantity": 1, "unitPrice": 129.00, "discount": 0, "amount": 129.00, "originalLineNumber": 1 }
            """));
        posted["total"] = 253.00m;

        AssertRejectedAt(Validate(posted), "lines[1].originalLineNumber");
    }

    [Fact]
    public void A_return_of_several_original_lines_is_valid()
    {
        var posted = Return();
        posted["lines"]!.AsArray().Add(JsonNode.Parse("""
            { "lineNumber": 2, "sku": "A-1002", "quantity": 0.5, "unitPrice": 20.00, "discount": 0, "amount": 10.00, "originalLineNumber": 3 }
            """));
        posted["total"] = 134.00m;

        var receipt = AssertValid(Validate(posted));

        Assert.Equal([1, 3], receipt.Lines.Select(line => line.OriginalLineNumber!.Value));
    }

    public static TheoryData<string, string?, string> LinesViolations => new()
    {
        { "lines", "[]", "lines" },
        { "lines", "{}", "lines" },
        { "lines", "\"lines\"", "lines" },
        { "lines", "null", "lines" },
        { "lines", Removed, "lines" },
        { "lines[0]", "\"line\"", "lines[0]" },
        { "lines[0]", "null", "lines[0]" },
        { "lines[0]", "[1]", "lines[0]" },
        { "lines[0].lineNumber", "0", "lines[0].lineNumber" },
        { "lines[0].lineNumber", "-1", "lines[0].lineNumber" },
        { "lines[0].lineNumber", "1.5", "lines[0].lineNumber" },
        { "lines[0].lineNumber", "1.0000000000000000000000000000001", "lines[0].lineNumber" },
        { "lines[0].lineNumber", "\"1\"", "lines[0].lineNumber" },
        { "lines[0].lineNumber", "2147483648", "lines[0].lineNumber" },
        { "lines[0].lineNumber", "1e400", "lines[0].lineNumber" },
        { "lines[0].lineNumber", "null", "lines[0].lineNumber" },
        { "lines[0].lineNumber", Removed, "lines[0].lineNumber" },
        { "lines[0].gtin", "\"6901234567893\"", "lines[0].gtin" },
        { "lines[0].gtin", "\"690123456789\"", "lines[0].gtin" },
        { "lines[0].gtin", "\"690123456789A\"", "lines[0].gtin" },
        { "lines[0].gtin", "\"６９０１２３４５６７８９２\"", "lines[0].gtin" },
        { "lines[0].gtin", "\" 6901234567892\"", "lines[0].gtin" },
        { "lines[0].gtin", "\"\"", "lines[0].gtin" },
        { "lines[0].gtin", "\"123456789\"", "lines[0].gtin" },
        { "lines[0].gtin", "\"006901234567892\"", "lines[0].gtin" },
        { "lines[0].gtin", "6901234567892", "lines[0].gtin" },
        { "lines[0].sku", "\"\"", "lines[0].sku" },
        { "lines[0].sku", Quoted(new string('S', 65)), "lines[0].sku" },
        { "lines[0].sku", "\" A-1001\"", "lines[0].sku" },
        { "lines[0].sku", "\"A-1001 \"", "lines[0].sku" },
        { "lines[0].sku", "\"A\\u00001001\"", "lines[0].sku" },
        { "lines[0].sku", "\"A\\t1001\"", "lines[0].sku" },
        { "lines[0].sku", "\"A\\u200B1001\"", "lines[0].sku" },
        { "lines[0].sku", "\"A\\u30001001\"", "lines[0].sku" },
        { "lines[0].sku", "1001", "lines[0].sku" },
        { "lines[0].description", Quoted(new string('漆', 201)), "lines[0].description" },
        { "lines[0].description", "5", "lines[0].description" },
        { "lines[0].description", "[\"漆\"]", "lines[0].description" },
    };

    [Theory]
    [MemberData(nameof(LinesViolations))]
    public void A_line_breaking_a_rule_is_rejected_at_its_path(string target, string? json, string expectedPath) =>
        AssertRejectedAt(Validate(Sale().With(target, json)), expectedPath);

    public static TheoryData<string, string?, string> NumberViolations => new()
    {
        { "lines[0].quantity", "0", "lines[0].quantity" },
        { "lines[0].quantity", "0.000", "lines[0].quantity" },
        { "lines[0].quantity", "-0", "lines[0].quantity" },
        { "lines[0].quantity", "-1", "lines[0].quantity" },
        { "lines[0].quantity", "2.0001", "lines[0].quantity" },
        { "lines[0].quantity", "1e-400", "lines[0].quantity" },
        { "lines[0].quantity", "2.0000000000000000000000000000001", "lines[0].quantity" },
        { "lines[0].quantity", "\"2\"", "lines[0].quantity" },
        { "lines[0].quantity", "true", "lines[0].quantity" },
        { "lines[0].quantity", "1e400", "lines[0].quantity" },
        { "lines[0].quantity", "-1e400", "lines[0].quantity" },
        { "lines[0].quantity", "79228162514264337593543950336", "lines[0].quantity" },
        { "lines[0].quantity", "1000000000.001", "lines[0].quantity" },
        { "lines[0].quantity", "null", "lines[0].quantity" },
        { "lines[0].quantity", Removed, "lines[0].quantity" },
        { "lines[0].unitPrice", "-0.01", "lines[0].unitPrice" },
        { "lines[0].unitPrice", "129.001", "lines[0].unitPrice" },
        { "lines[0].unitPrice", "\"129.00\"", "lines[0].unitPrice" },
        { "lines[0].unitPrice", "79228162514264337593543950336", "lines[0].unitPrice" },
        { "lines[0].unitPrice", "1000000000000.01", "lines[0].unitPrice" },
        { "lines[0].unitPrice", "{\"amount\":129}", "lines[0].unitPrice" },
        { "lines[0].unitPrice", Removed, "lines[0].unitPrice" },
        { "lines[0].discount", "-10.00", "lines[0].discount" },
        { "lines[0].discount", "10.001", "lines[0].discount" },
        { "lines[0].discount", "false", "lines[0].discount" },
        { "lines[0].discount", Removed, "lines[0].discount" },
        { "lines[0].amount", "-248.00", "lines[0].amount" },
        { "lines[0].amount", "248.001", "lines[0].amount" },
        { "lines[0].amount", "\"248.00\"", "lines[0].amount" },
        { "lines[0].amount", "1e400", "lines[0].amount" },
        { "lines[0].amount", Removed, "lines[0].amount" },
        { "total", "248.01", "total" },
        { "total", "247.99", "total" },
        { "total", "248.001", "total" },
        { "total", "-248", "total" },
        { "total", "\"248.00\"", "total" },
        { "total", "1e400", "total" },
        { "total", "null", "total" },
        { "total", Removed, "total" },
    };

    [Theory]
    [MemberData(nameof(NumberViolations))]
    public void A_number_of_the_wrong_type_sign_size_or_precision_is_rejected_at_its_path(string target, string? json, string expectedPath) =>
        AssertRejectedAt(Validate(Sale().With(target, json)), expectedPath);

    [Theory]
    [InlineData("2", "129.00", "10.00", "248.00")]
    [InlineData("2.000", "129", "10", "248")]
    [InlineData("2e0", "1.29e2", "1e1", "2.48e2")]
    [InlineData("2.0", "129.0", "10.0", "248.0")]
    public void Numbers_are_read_by_value_whatever_their_notation(string quantity, string unitPrice, string discount, string amount)
    {
        var posted = Sale().With("lines[0].quantity", quantity).With("lines[0].unitPrice", unitPrice)
            .With("lines[0].discount", discount).With("lines[0].amount", amount).With("total", amount);

        var line = Assert.Single(AssertValid(Validate(posted)).Lines);

        Assert.Equal((2m, 129m, 10m, 248m), (line.Quantity, line.UnitPrice, line.Discount, line.Amount));
    }

    [Fact]
    public void A_line_number_written_as_an_integral_decimal_is_that_integer() =>
        Assert.Equal(7, Assert.Single(AssertValid(Validate(Sale().With("lines[0].lineNumber", "7.0"))).Lines).LineNumber);

    public static TheoryData<string, string, string, string> CommerciallyRoundedLines => new()
    {
        { "0.125", "3", "0", "0.38" },
        { "0.5", "0.01", "0", "0.01" },
        { "1.5", "0.03", "0", "0.05" },
        { "0.5", "0.05", "0", "0.03" },
        { "0.001", "4.99", "0", "0.00" },
        { "0.003", "1.67", "0", "0.01" },
        { "1.29", "279.68", "0", "360.79" },
        { "2.5", "3.33", "0.33", "8.00" },
        { "0.333", "9.99", "3.33", "0.00" },
        { "999999999.999", "0.01", "0", "10000000.00" },
    };

    [Theory]
    [MemberData(nameof(CommerciallyRoundedLines))]
    public void The_amount_is_quantity_times_price_rounded_half_away_from_zero_at_the_fen_minus_discount(string quantity, string unitPrice, string discount, string amount)
    {
        var posted = Sale().With("lines[0].quantity", quantity).With("lines[0].unitPrice", unitPrice)
            .With("lines[0].discount", discount).With("lines[0].amount", amount).With("total", amount);
        var line = Assert.Single(AssertValid(Validate(posted)).Lines);
        Assert.Equal(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), line.Amount);
    }

    [Theory]
    [InlineData("0.125", "3", "0.37")]
    [InlineData("1.5", "0.03", "0.04")]
    [InlineData("0.5", "0.05", "0.02")]
    [InlineData("1.29", "279.68", "360.78")]
    public void An_amount_off_by_a_fen_or_unrounded_is_rejected_at_its_path(string quantity, string unitPrice, string amount)
    {
        var posted = Sale().With("lines[0].quantity", quantity).With("lines[0].unitPrice", unitPrice)
            .With("lines[0].discount", "0").With("lines[0].amount", amount).With("total", amount);

        AssertRejectedAt(Validate(posted), "lines[0].amount");
    }

    [Fact]
    public void An_unrounded_amount_is_rejected_for_its_decimal_places()
    {
        var posted = Sale().With("lines[0].quantity", "1.29").With("lines[0].unitPrice", "279.68")
            .With("lines[0].discount", "0").With("lines[0].amount", "360.7872").With("total", "360.79");

        AssertRejectedAt(Validate(posted), "lines[0].amount");
    }

    [Fact]
    public void Amount_that_is_not_quantity_times_price_minus_discount_is_rejected_at_its_path()
    {
        var errors = AssertRejectedAt(Validate(Sale().With("lines[0].amount", "258.00").With("total", "258.00")), "lines[0].amount");

        Assert.Contains("248.00", Assert.Single(errors["lines[0].amount"]), StringComparison.Ordinal);
    }

    [Fact]
    public void The_largest_quantity_times_the_largest_price_is_computed_exactly_without_overflow()
    {
        var posted = Sale().With("lines[0].quantity", "1000000000").With("lines[0].unitPrice", "1000000000000")
            .With("lines[0].discount", "0").With("lines[0].amount", "1000000000000").With("total", "1000000000000");

        var errors = AssertRejectedAt(Validate(posted), "lines[0].amount");

        Assert.Contains("1000000000000000000000.00", Assert.Single(errors["lines[0].amount"]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_amount_also_breaks_a_total_that_matches_the_right_one() =>
        AssertRejectedAt(Validate(Sale().With("lines[0].amount", "258.00")), "lines[0].amount", "total");

    [Fact]
    public void A_discount_larger_than_the_lines_gross_is_rejected_at_the_discount() =>
        AssertRejectedAt(Validate(Sale().With("lines[0].discount", "258.01").With("lines[0].amount", "0").With("total", "0")), "lines[0].discount");

    [Fact]
    public void A_discount_equal_to_the_gross_leaves_an_amount_of_zero() =>
        Assert.Equal(0m, AssertValid(Validate(Sale().With("lines[0].discount", "258.00").With("lines[0].amount", "0").With("total", "0"))).Total);

    [Fact]
    public void A_line_with_only_a_sku_is_valid_and_has_no_gtin() =>
        Assert.Null(Assert.Single(AssertValid(Validate(Sale().With("lines[0].gtin", Removed))).Lines).Gtin14);

    [Fact]
    public void A_line_with_only_a_gtin_is_valid() =>
        Assert.Null(Assert.Single(AssertValid(Validate(Sale().With("lines[0].sku", "null").With("lines[0].description", Removed))).Lines).Sku);

    [Fact]
    public void A_line_with_neither_gtin_nor_sku_is_rejected_at_the_line() =>
        AssertRejectedAt(Validate(Sale().With("lines[0].gtin", Removed).With("lines[0].sku", "null")), "lines[0]");

    [Theory]
    [InlineData("96385074", "00000096385074")]
    [InlineData("036000291452", "00036000291452")]
    [InlineData("6901234567892", "06901234567892")]
    [InlineData("06901234567892", "06901234567892")]
    public void A_gtin_is_kept_in_its_14_digit_form(string gtin, string gtin14) =>
        Assert.Equal(gtin14, Assert.Single(AssertValid(Validate(Sale().With("lines[0].gtin", Quoted(gtin)))).Lines).Gtin14);

    [Theory]
    [InlineData("A")]
    [InlineData("货号-1001 蓝色")]
    [InlineData("SKU/1001#A(2)")]
    public void A_sku_of_printable_characters_with_inner_spaces_is_valid(string sku) =>
        Assert.Equal(sku, Assert.Single(AssertValid(Validate(Sale().With("lines[0].sku", Quoted(sku)))).Lines).Sku);

    [Fact]
    public void A_sku_of_64_characters_beyond_the_basic_plane_is_valid()
    {
        var sku = string.Concat(Enumerable.Repeat("𠀀", 64));

        Assert.Equal(sku, Assert.Single(AssertValid(Validate(Sale().With("lines[0].sku", Quoted(sku)))).Lines).Sku);
    }

    [Theory]
    [InlineData("")]
    [InlineData("=HYPERLINK(\"http://x\")")]
    [InlineData("品名,含逗号 \"引号\"\n第二行")]
    public void A_description_of_up_to_200_characters_is_kept_as_posted(string description) =>
        Assert.Equal(description, Assert.Single(AssertValid(Validate(Sale().With("lines[0].description", Quoted(description)))).Lines).Description);

    [Fact]
    public void A_description_of_200_characters_outside_the_basic_plane_is_valid()
    {
        var description = string.Concat(Enumerable.Repeat("😀", 200));

        AssertValid(Validate(Sale().With("lines[0].description", Quoted(description))));
    }

    [Fact]
    public void Duplicate_line_numbers_are_rejected_at_the_later_line()
    {
        var posted = Sale();
        posted["lines"]!.AsArray().Add(posted["lines"]![0]!.DeepClone());
        posted["total"] = 496.00m;

        var errors = AssertRejectedAt(Validate(posted), "lines[1].lineNumber");

        Assert.Contains("lines[0]", Assert.Single(errors["lines[1].lineNumber"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Line_numbers_need_not_be_consecutive_or_in_order()
    {
        var posted = Sale();
        posted["lines"]!.AsArray().Add(posted["lines"]![0]!.DeepClone());
        posted["lines"]![0]!["lineNumber"] = 10;
        posted["total"] = 496.00m;

        Assert.Equal([10, 1], AssertValid(Validate(posted)).Lines.Select(line => line.LineNumber));
    }

    [Fact]
    public void Five_hundred_lines_are_valid_and_the_total_is_their_exact_sum()
    {
        var receipt = AssertValid(Validate(SaleWithLines(500)));

        Assert.Equal(500, receipt.Lines.Count);
        Assert.Equal(500 * 0.38m, receipt.Total);
    }

    [Fact]
    public void Five_hundred_and_one_lines_are_rejected_at_lines() =>
        AssertRejectedAt(Validate(SaleWithLines(501)), "lines");

    [Fact]
    public void The_total_is_compared_with_the_sum_of_the_posted_amounts_to_the_fen() =>
        AssertRejectedAt(Validate(SaleWithLines(3).With("total", "1.13")), "total");

    [Fact]
    public void Errors_of_all_fields_are_collected_with_each_path()
    {
        var posted = SaleWithLines(3)
            .With("chainId", "\"hua lian\"")
            .With("currency", "\"USD\"")
            .With("lines[1].gtin", "\"123\"")
            .With("lines[2].quantity", "\"3\"");

        AssertRejectedAt(Validate(posted), "chainId", "currency", "lines[1].gtin", "lines[2].quantity");
    }

    [Fact]
    public void A_hopeless_receipt_gets_a_bounded_answer()
    {
        var posted = SaleWithLines(500);
        foreach (var line in posted["lines"]!.AsArray())
        {
            line!["gtin"] = "bad";
            line["quantity"] = "bad";
        }

        var errors = Assert.IsType<ReceiptValidation.Invalid>(Validate(posted)).Errors;

        Assert.Equal(ReceiptValidator.MaxErrorPaths, errors.Count);
        Assert.Equal(["lines[0].gtin", "lines[0].quantity", "lines[1].gtin"], errors.Keys.Take(3));
        Assert.All(errors.Values, messages => Assert.InRange(messages.Length, 1, ReceiptValidator.MaxMessagesPerPath));
    }

    [Fact]
    public void Unknown_properties_are_ignored()
    {
        var posted = Sale();
        posted["vatInvoice"] = JsonNode.Parse("""{ "title": "某公司", "nested": [1, {"a": null}] }""");
        posted["lines"]![0]!["taxRate"] = 0.13m;
        posted["ChainId"] = "not-the-chain";

        var receipt = AssertValid(Validate(posted));

        Assert.Equal(AssertValid(Validate(Sale())).ContentHash, receipt.ContentHash);
    }

    [Fact]
    public void Property_names_are_case_sensitive() =>
        AssertRejectedAt(Validate(Sale().With("chainId", Removed).With("ChainId", "\"hualian\"")), "chainId");

    [Theory]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("\"receipt\"")]
    [InlineData("248.00")]
    public void A_receipt_that_is_not_an_object_is_rejected_at_the_root(string json) =>
        AssertRejectedAt(Validate(json), ReceiptValidator.RootPath);

    [Fact]
    public void Text_with_an_escaped_lone_surrogate_is_an_error_not_an_exception()
    {
        var json = SaleJson.Replace("\"SH-0012\"", "\"SH-\\ud800\"", StringComparison.Ordinal)
            .Replace("\"A-1001\"", "\"A-\\udc00\"", StringComparison.Ordinal);

        AssertRejectedAt(Validate(json), "storeId", "lines[0].sku");
    }

    [Fact]
    public void Invalid_utf8_in_a_document_that_bypassed_receipt_json_is_an_error_not_an_exception()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(SaleJson.Replace("水性木器漆", "~~", StringComparison.Ordinal)).ToList();
        var at = bytes.IndexOf((byte)'~');
        bytes[at] = 0xC3;
        bytes[at + 1] = 0x28;
        using var document = JsonDocument.Parse(bytes.ToArray());

        AssertRejectedAt(ReceiptValidator.Validate(document.RootElement, Context()), "lines[0].description");
    }

    [Fact]
    public void A_valid_receipt_of_an_unregistered_chain_is_reported_as_such()
    {
        var validation = Validate(Sale().With("chainId", "\"unknown-chain\""));

        Assert.Equal("unknown-chain", Assert.IsType<ReceiptValidation.ChainNotRegistered>(validation).ChainId);
    }

    [Fact]
    public void An_invalid_receipt_of_an_unregistered_chain_gets_its_field_errors_first() =>
        AssertRejectedAt(Validate(Sale().With("chainId", "\"unknown-chain\"").With("currency", "\"USD\"")), "currency");

    [Fact]
    public void The_chain_zone_is_looked_up_only_for_a_valid_chain_id()
    {
        var asked = new List<string>();
        var context = new ReceiptValidationContext(Now, 30, chainId =>
        {
            asked.Add(chainId);
            return Shanghai;
        });

        Validate(Sale().With("chainId", "\"bad chain\""), context);
        Validate(Sale(), context);

        Assert.Equal(["hualian"], asked);
    }

    [Fact]
    public void A_negative_max_age_is_a_programming_error()
    {
        using var document = JsonDocument.Parse(SaleJson);

        Assert.Throws<ArgumentOutOfRangeException>(() => ReceiptValidator.Validate(document.RootElement, Context(maxAgeDays: -1)));
    }

    private static JsonObject SaleWithLines(int count)
    {
        var posted = Sale();
        var lines = new JsonArray();
        for (var number = 1; number <= count; number++)
        {
            lines.Add(JsonNode.Parse($$"""
                { "lineNumber": {{number}}, "gtin": "6901234567892", "quantity": 0.125, "unitPrice": 3, "discount": 0, "amount": 0.38 }
                """));
        }

        posted["lines"] = lines;
        posted["total"] = JsonNode.Parse((count * 0.38m).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return posted;
    }
}
