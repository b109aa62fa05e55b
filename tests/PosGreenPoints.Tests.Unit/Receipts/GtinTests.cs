using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Tests.Unit.Receipts;

public sealed class GtinTests
{
    [Theory]
    [InlineData("96385074", "00000096385074")]
    [InlineData("036000291452", "00036000291452")]
    [InlineData("4006381333931", "04006381333931")]
    [InlineData("6901234567892", "06901234567892")]
    [InlineData("10012345678902", "10012345678902")]
    [InlineData("00036000291452", "00036000291452")]
    public void A_gtin_with_a_valid_check_digit_is_left_padded_to_14_digits(string text, string expected)
    {
        Assert.True(Gtin.TryNormalize(text, out var gtin14));
        Assert.Equal(expected, gtin14);
    }

    [Theory]
    [InlineData("96385075")]
    [InlineData("036000291453")]
    [InlineData("4006381333932")]
    [InlineData("10012345678903")]
    public void A_gtin_with_a_wrong_check_digit_is_rejected(string text) => AssertRejected(text);

    [Theory]
    [InlineData("4006381A33931")]
    [InlineData("４００６３８１３３３９３１")]
    [InlineData("٤٠٠٦٣٨١٣٣٣٩٣١")]
    [InlineData("+006381333931")]
    [InlineData("-4006381333931")]
    [InlineData("4006381333931.")]
    public void A_gtin_with_anything_but_ascii_digits_is_rejected(string text) => AssertRejected(text);

    [Theory]
    [InlineData("")]
    [InlineData("1234565")]
    [InlineData("123456784")]
    [InlineData("1234567895")]
    [InlineData("12345678903")]
    [InlineData("100123456789022")]
    [InlineData(" 4006381333931")]
    [InlineData("4006381333931 ")]
    [InlineData("4006381333931\n")]
    public void A_gtin_of_another_length_or_with_whitespace_is_rejected(string text) => AssertRejected(text);

    [Theory]
    [InlineData("96385074")]
    [InlineData("4006381333931")]
    [InlineData("10012345678902")]
    public void Changing_any_single_digit_of_a_valid_gtin_is_detected(string valid)
    {
        for (var position = 0; position < valid.Length; position++)
        {
            foreach (var digit in "0123456789".Where(digit => digit != valid[position]))
            {
                var changed = string.Concat(valid.AsSpan(0, position), digit.ToString(), valid.AsSpan(position + 1));
                Assert.False(Gtin.TryNormalize(changed, out _), changed);
            }
        }
    }

    private static void AssertRejected(string text)
    {
        Assert.False(Gtin.TryNormalize(text, out var gtin14));
        Assert.Null(gtin14);
    }
}
