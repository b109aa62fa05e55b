using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PosGreenPoints.Functions.Receipts;
using static PosGreenPoints.Tests.Unit.Receipts.TestReceipts;

namespace PosGreenPoints.Tests.Unit.Receipts;

public sealed class ValidatedReceiptTests
{
    [Fact]
    public void The_canonical_form_has_fixed_order_no_whitespace_two_decimal_money_and_14_digit_gtins()
    {
        var receipt = AssertValid(Validate(Sale()));

        Assert.Equal(
            """{"chainId":"hualian","storeId":"SH-0012","terminalId":"POS-03","receiptNumber":"20260315-000123","issuedAt":"2026-03-15T10:42:11+08:00","businessDate":"2026-03-15","currency":"CNY","type":"sale","memberId":"GM7Q2K9X","lines":[{"lineNumber":1,"gtin":"06901234567892","sku":"A-1001","description":"水性木器漆 1L","quantity":2,"unitPrice":129.00,"discount":10.00,"amount":248.00}],"total":248.00}""",
            receipt.CanonicalJson);
    }

    [Fact]
    public void The_canonical_form_of_a_return_carries_the_original_and_its_business_date()
    {
        var receipt = AssertValid(Validate(Return().With("lines[0].quantity", "1.500").With("lines[0].unitPrice", "86").With("lines[0].discount", "5").With("lines[0].amount", "124").With("total", "124")));

        Assert.Equal(
            """{"chainId":"hualian","storeId":"SH-0012","terminalId":"POS-03","receiptNumber":"20260315-000200","issuedAt":"2026-03-15T11:05:00+08:00","businessDate":"2026-03-15","currency":"CNY","type":"return","memberId":"GM7Q2K9X","originalReceipt":{"storeId":"SH-0012","terminalId":"POS-03","receiptNumber":"20260315-000123","issuedAt":"2026-03-15T10:42:11+08:00","businessDate":"2026-03-15"},"lines":[{"lineNumber":1,"gtin":"06901234567892","quantity":1.5,"unitPrice":86.00,"discount":5.00,"amount":124.00,"originalLineNumber":1}],"total":124.00}""",
            receipt.CanonicalJson);
    }

    [Fact]
    public void The_content_hash_is_lowercase_hex_sha256_of_the_utf8_canonical_form()
    {
        var receipt = AssertValid(Validate(Sale()));

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(receipt.CanonicalJson))), receipt.ContentHash);
        Assert.Matches("^[0-9a-f]{64}$", receipt.ContentHash);
    }

    [Fact]
    public void The_same_receipt_reformatted_has_the_same_hash()
    {
        // Other whitespace, reversed property order, other number notations, the 14-digit GTIN, escaped
        // Chinese, a zero fraction of a second, an ignored property and an explicit null.
        var reformatted = $$"""
            {"total":248,"lines":[{"amount":2.48e2,"discount":10,"unitPrice":129.000,"quantity":2.000,
            "description":{{JsonSerializer.Serialize("水性木器漆 1L")}},"sku":"A-1001","gtin":"06901234567892","lineNumber":1.0,
            "originalLineNumber":null}],"memberId":"GM7Q2K9X","type":"sale","currency":"CNY",
            "issuedAt":"2026-03-15t10:42:11.000+08:00","receiptNumber":"20260315-000123",
            "terminalId":"POS-03","storeId":"SH-0012","chainId":"hualian","posVendor":"ignored","originalReceipt":null}
            """;
        Assert.Contains("\\u6C34", reformatted, StringComparison.OrdinalIgnoreCase);

        var original = AssertValid(Validate(SaleJson));
        var again = AssertValid(Validate(reformatted));

        Assert.Equal(original.CanonicalJson, again.CanonicalJson);
        Assert.Equal(original.ContentHash, again.ContentHash);
        Assert.Equal(original, again);
        Assert.Equal(original.GetHashCode(), again.GetHashCode());
    }

    public static TheoryData<string, string?> ContentChanges => new()
    {
        { "storeId", "\"SH-0013\"" },
        { "terminalId", "\"POS-04\"" },
        { "receiptNumber", "\"20260315-000124\"" },
        { "issuedAt", "\"2026-03-15T10:42:12+08:00\"" },
        { "issuedAt", "\"2026-03-15T10:42:11.0000001+08:00\"" },
        { "issuedAt", "\"2026-03-15T02:42:11Z\"" },
        { "memberId", "\"GM7Q2K9Y\"" },
        { "memberId", null },
        { "lines[0].lineNumber", "2" },
        { "lines[0].gtin", "\"96385074\"" },
        { "lines[0].gtin", null },
        { "lines[0].sku", "\"A-1002\"" },
        { "lines[0].sku", null },
        { "lines[0].description", "\"水性木器漆 1L \"" },
        { "lines[0].description", "\"\"" },
        { "lines[0].description", null },
    };

    [Theory]
    [MemberData(nameof(ContentChanges))]
    public void Changed_content_has_another_hash(string target, string? json)
    {
        var original = AssertValid(Validate(Sale()));
        var changed = AssertValid(Validate(Sale().With(target, json)));

        Assert.NotEqual(original.ContentHash, changed.ContentHash);
        Assert.NotEqual(original, changed);
    }

    [Fact]
    public void Changed_money_has_another_hash()
    {
        var original = AssertValid(Validate(Sale()));
        var changed = AssertValid(Validate(Sale().With("lines[0].discount", "9.99").With("lines[0].amount", "248.01").With("total", "248.01")));

        Assert.NotEqual(original.ContentHash, changed.ContentHash);
    }

    [Fact]
    public void Changed_quantity_has_another_hash()
    {
        var original = AssertValid(Validate(Sale()));
        var changed = AssertValid(Validate(Sale().With("lines[0].quantity", "2.001").With("lines[0].amount", "248.13").With("total", "248.13")));

        Assert.NotEqual(original.ContentHash, changed.ContentHash);
    }

    [Fact]
    public void The_order_of_lines_is_content()
    {
        var twoLines = Sale();
        var second = twoLines["lines"]![0]!.DeepClone();
        second["lineNumber"] = 2;
        twoLines["lines"]!.AsArray().Add(second);
        twoLines["total"] = 496.00m;
        var swapped = twoLines.DeepClone().AsObject();
        swapped["lines"]![0]!["lineNumber"] = 2;
        swapped["lines"]![1]!["lineNumber"] = 1;

        Assert.NotEqual(AssertValid(Validate(twoLines)).ContentHash, AssertValid(Validate(swapped)).ContentHash);
    }

    [Theory]
    [InlineData(SaleJson)]
    [InlineData(ReturnJson)]
    public void The_canonical_form_reads_back_to_an_equal_receipt(string json)
    {
        var receipt = AssertValid(Validate(json));

        var readBack = ValidatedReceipt.FromCanonicalJson(receipt.CanonicalJson);

        Assert.Equal(receipt, readBack);
        Assert.Equal(receipt.CanonicalJson, readBack.CanonicalJson);
        Assert.Equal(receipt.ContentHash, readBack.ContentHash);
        Assert.Equal(receipt.IssuedAt.Offset, readBack.IssuedAt.Offset);
        Assert.Equal(receipt.OriginalReceipt, readBack.OriginalReceipt);
        Assert.Equal(receipt.Lines, readBack.Lines);
    }

    [Theory]
    [InlineData("引号\"品名\" 反斜杠\\ 换行\n制表\t回车\r")]
    [InlineData("\u0001\u001f\u007f\b\f")]
    [InlineData("</script> & 'x' + `y`")]
    [InlineData("😀 \u2028 \u2029 \uFEFF")]
    [InlineData("=HYPERLINK(\"http://x\")")]
    public void Text_with_characters_json_must_escape_round_trips_exactly(string description)
    {
        var receipt = AssertValid(Validate(Sale().With("lines[0].description", Quoted(description))));

        using var document = JsonDocument.Parse(receipt.CanonicalJson);
        Assert.Equal(description, document.RootElement.GetProperty("lines")[0].GetProperty("description").GetString());
        Assert.Equal(description, ValidatedReceipt.FromCanonicalJson(receipt.CanonicalJson).Lines[0].Description);
        Assert.Equal(receipt.ContentHash, ValidatedReceipt.FromCanonicalJson(receipt.CanonicalJson).ContentHash);
    }

    [Fact]
    public void Only_what_json_requires_is_escaped()
    {
        var receipt = AssertValid(Validate(Sale().With("lines[0].description", Quoted("漆 <&'+> \"x\" \\ \n \u0001 😀"))));

        Assert.Contains("""
            "description":"漆 <&'+> \"x\" \\ \n \u0001 😀"
            """, receipt.CanonicalJson, StringComparison.Ordinal);
    }

    [Fact]
    public void A_with_expression_gets_its_own_canonical_form()
    {
        var receipt = AssertValid(Validate(Sale()));
        _ = receipt.ContentHash;

        var changed = receipt with { MemberId = null };

        Assert.DoesNotContain("memberId", changed.CanonicalJson, StringComparison.Ordinal);
        Assert.NotEqual(receipt.ContentHash, changed.ContentHash);
        Assert.Equal(receipt.ChainId, changed.ChainId);
        Assert.Equal(receipt.Lines, changed.Lines);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("""{"chainId":1}""")]
    public void Text_that_is_not_a_canonical_receipt_cannot_be_read_back(string text) =>
        Assert.Throws<FormatException>(() => ValidatedReceipt.FromCanonicalJson(text));
}
