using System.Text;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Tests.Unit.Receipts;

public sealed class ReceiptJsonTests
{
    [Fact]
    public void A_well_formed_body_gives_a_document()
    {
        var parse = ReceiptJson.Parse(Encoding.UTF8.GetBytes(TestReceipts.SaleJson));

        Assert.True(parse.IsWellFormed);
        using var document = parse.Document;
        Assert.Equal("hualian", document.RootElement.GetProperty("chainId").GetString());
        Assert.Null(parse.MalformedReason);
    }

    [Fact]
    public void A_leading_byte_order_mark_is_skipped()
    {
        var parse = ReceiptJson.Parse(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(TestReceipts.SaleJson)).ToArray());

        Assert.True(parse.IsWellFormed);
        parse.Document.Dispose();
    }

    [Fact]
    public void Invalid_utf8_is_malformed_and_its_offset_is_named()
    {
        byte[] body = [.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        var parse = ReceiptJson.Parse(body);

        Assert.False(parse.IsWellFormed);
        Assert.Contains("UTF-8", parse.MalformedReason, StringComparison.Ordinal);
        Assert.Contains("offset 6", parse.MalformedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_lone_surrogate_encoded_in_utf8_is_malformed()
    {
        byte[] body = [.. "{\"a\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8];

        Assert.False(ReceiptJson.Parse(body).IsWellFormed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{")]
    [InlineData("{\"a\":1,}")]
    [InlineData("[1,]")]
    [InlineData("{\"a\":1 /* comment */}")]
    [InlineData("// comment\n{}")]
    [InlineData("{'a':1}")]
    [InlineData("{a:1}")]
    [InlineData("{\"a\":tru}")]
    [InlineData("{\"a\":NaN}")]
    [InlineData("{\"a\":01}")]
    [InlineData("{\"a\":1}{\"b\":2}")]
    [InlineData("{\"a\":1,\"a\":2}")]
    [InlineData("{\"lines\":[{\"gtin\":\"1\",\"gtin\":\"2\"}]}")]
    public void Broken_or_lenient_json_is_malformed(string body)
    {
        var parse = ReceiptJson.Parse(Encoding.UTF8.GetBytes(body));

        Assert.False(parse.IsWellFormed);
        Assert.StartsWith("The body is not valid JSON", parse.MalformedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_position_of_broken_json_is_named_one_based()
    {
        var parse = ReceiptJson.Parse("{\n  \"chainId\": x\n}"u8.ToArray());

        Assert.Contains("line 2", parse.MalformedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_of_32_levels_is_well_formed_and_of_33_is_malformed()
    {
        var parse = ReceiptJson.Parse(Encoding.UTF8.GetBytes(new string('[', 32) + new string(']', 32)));
        Assert.True(parse.IsWellFormed);
        parse.Document.Dispose();

        Assert.False(ReceiptJson.Parse(Encoding.UTF8.GetBytes(new string('[', 33) + new string(']', 33))).IsWellFormed);
    }

    [Fact]
    public void A_reason_never_echoes_a_large_body()
    {
        var name = new string('n', 100_000);

        var parse = ReceiptJson.Parse(Encoding.UTF8.GetBytes($"{{\"{name}\":1,\"{name}\":2}}"));

        Assert.False(parse.IsWellFormed);
        Assert.InRange(parse.MalformedReason.Length, 1, 300);
    }
}
