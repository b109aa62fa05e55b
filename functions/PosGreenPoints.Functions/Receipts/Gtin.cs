using System.Diagnostics.CodeAnalysis;

namespace PosGreenPoints.Functions.Receipts;

/// <summary>GS1 Global Trade Item Numbers, compared everywhere in their 14-digit form.</summary>
public static class Gtin
{
    public const int NormalizedLength = 14;

    /// <summary>
    /// Accepts a GTIN-8, -12, -13 or -14 (ASCII digits only, nothing around them) whose GS1 mod-10 check
    /// digit is right, and gives it left-padded with zeros to 14 digits.
    /// </summary>
    public static bool TryNormalize(ReadOnlySpan<char> text, [NotNullWhen(true)] out string? gtin14)
    {
        gtin14 = null;
        if (text.Length is not (8 or 12 or 13 or NormalizedLength) || !IsAsciiDigits(text) || !HasValidCheckDigit(text))
        {
            return false;
        }

        gtin14 = text.Length == NormalizedLength ? text.ToString() : string.Concat(new string('0', NormalizedLength - text.Length), text);
        return true;
    }

    private static bool IsAsciiDigits(ReadOnlySpan<char> text)
    {
        foreach (var character in text)
        {
            if (!char.IsAsciiDigit(character))
            {
                return false;
            }
        }

        return true;
    }

    // GS1 weights the digits 3, 1, 3, 1 … from the right, starting next to the check digit; that makes
    // the check independent of the leading zeros, so every GTIN length is checked the same way.
    private static bool HasValidCheckDigit(ReadOnlySpan<char> digits)
    {
        var sum = 0;
        for (var position = 1; position < digits.Length; position++)
        {
            var digit = digits[digits.Length - 1 - position] - '0';
            sum += position % 2 == 1 ? digit * 3 : digit;
        }

        var expected = (10 - (sum % 10)) % 10;
        return digits[^1] - '0' == expected;
    }
}
