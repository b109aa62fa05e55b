using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PosGreenPoints.Contracts;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Admin;

namespace PosGreenPoints.Functions.Receipts;

/// <summary>
/// Checks a posted receipt against the rules of the contract (api.md, "Receipts") and turns it into a
/// <see cref="ValidatedReceipt"/>. It never throws on content: wrong types, nulls, numbers beyond
/// <see cref="decimal"/> and broken text each become an error at the field's path, and the errors of
/// all fields are reported together.
/// <para>Where the contract is silent:</para>
/// <list type="bullet">
/// <item>Property names are case-sensitive; unknown properties are ignored; <c>null</c> for an optional
/// field is the same as leaving it out, and for a required field is "is required".</item>
/// <item><c>issuedAt</c> is RFC 3339 with <c>T</c> (or <c>t</c>) and an offset (<c>Z</c>, <c>z</c> or
/// ±hh:mm, at most ±14:00; <c>-00:00</c> is taken as UTC). Fractional seconds beyond 100 ns are
/// dropped. It may be up to <see cref="MaxAheadOfNow"/> ahead of now, to the instant. Its age is
/// measured in business days: the business date may be down to <c>MaxAgeDays</c> days before today's
/// date in the chain's time zone, whatever the time of day.</item>
/// <item><c>originalReceipt</c> and <c>originalLineNumber</c> on a sale are errors, not ignored. The
/// original's <c>issuedAt</c> follows the same format but has no age limit: returns may come long after the sale.</item>
/// <item>A return lists each original line at most once (<c>originalLineNumber</c> unique within the
/// return); several units of one line are returned through its quantity.</item>
/// <item>Numbers must be integral where an integer is expected (<c>1</c> and <c>1.0</c> are both line 1).
/// Decimal places are counted on the value, so <c>248.00</c> and <c>248</c> are the same amount.
/// Quantities are at most <see cref="Limits.MaxQuantity"/> and money at most <see cref="Limits.MaxMoney"/>: far beyond
/// any till, and low enough that quantity × unitPrice is exact in <see cref="decimal"/>.</item>
/// <item>Lengths (description, SKU) count Unicode characters, not UTF-16 units. A SKU is 1–64 printable
/// characters: letters, marks, digits, punctuation, symbols and inner plain spaces.</item>
/// <item>An error on a line-level rule ("a gtin or a sku") is reported at the line's own path
/// (<c>lines[2]</c>); a duplicate <c>lineNumber</c> or <c>originalLineNumber</c> at the later line; a
/// discount larger than the line's gross at <c>discount</c>, otherwise a wrong amount at <c>amount</c>.</item>
/// <item>At most <see cref="MaxMessagesPerPath"/> messages per path and <see cref="MaxErrorPaths"/>
/// paths are reported, the first ones in document order.</item>
/// </list>
/// </summary>
public static partial class ReceiptValidator
{
    public const string RootPath = "$";
    public const string Currency = "CNY";
    public const int MaxMessagesPerPath = 3;
    public const int MaxErrorPaths = 100;

    /// <summary>How far a till's clock may run ahead of ours.</summary>
    public static readonly TimeSpan MaxAheadOfNow = TimeSpan.FromMinutes(10);

    // RFC 3339 date-time; the calendar (days per month, hours, offset range) is checked by ParseExact.
    // ASCII digit classes on purpose: \d would accept other scripts' digits.
    private const int MaxInstantLength = 64;
    private const string InstantParseFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffzzz";

    private const string InstantFormatMessage = "must be an RFC 3339 date-time with an offset, like 2026-03-15T10:42:11+08:00.";

    [GeneratedRegex(
        @"^(?<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[Tt](?<time>[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.(?<fraction>[0-9]+))?(?<offset>[Zz]|[+-][0-9]{2}:[0-9]{2})\z",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Rfc3339DateTime();

    public static ReceiptValidation Validate(JsonElement receipt, ReceiptValidationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfNegative(context.MaxAgeDays);

        var errors = new ValidationErrors();
        if (receipt.ValueKind != JsonValueKind.Object)
        {
            errors.Add(RootPath, "must be a JSON object.");
            return new ReceiptValidation.Invalid(errors.ToDictionary());
        }

        var read = new FieldReader(errors);
        var chainId = read.Identifier(receipt, "chainId", "chainId");
        var storeId = read.Identifier(receipt, "storeId", "storeId");
        var terminalId = read.Identifier(receipt, "terminalId", "terminalId");
        var receiptNumber = read.Identifier(receipt, "receiptNumber", "receiptNumber");
        var issuedAt = read.Instant(receipt, "issuedAt", "issuedAt");
        if (issuedAt > context.Now + MaxAheadOfNow)
        {
            errors.Add("issuedAt", string.Create(CultureInfo.InvariantCulture, $"must not be more than {MaxAheadOfNow.TotalMinutes} minutes in the future."));
        }

        var currency = read.RequiredString(receipt, "currency", "currency");
        if (currency is not null && currency != Currency)
        {
            errors.Add("currency", $"must be {Currency}.");
        }

        var type = read.RequiredString(receipt, "type", "type");
        if (type is not null && type is not (ReceiptTypes.Sale or ReceiptTypes.Return))
        {
            errors.Add("type", $"must be '{ReceiptTypes.Sale}' or '{ReceiptTypes.Return}'.");
            type = null;
        }

        var memberId = read.OptionalMemberId(receipt, "memberId", "memberId");
        var original = ReadOriginalReceipt(receipt, type, read, errors);
        var (lines, amountSum) = ReadLines(receipt, type, read, errors);
        var total = read.Number(receipt, "total", "total", NumberRule.Money);
        if (total is { } posted && amountSum is { } sum && posted != sum)
        {
            errors.Add("total", $"must equal the sum of the lines' amounts, {ReceiptCanonicalJson.FormatMoney(sum)}.");
        }

        var timeZone = chainId is null ? null : context.ChainTimeZone(chainId);
        DateOnly? businessDate = null;
        if (timeZone is not null && issuedAt is { } instant)
        {
            businessDate = BusinessDateOf(instant, timeZone);
            var oldestAllowed = BusinessDateOf(context.Now, timeZone).AddDays(-context.MaxAgeDays);
            if (businessDate < oldestAllowed)
            {
                errors.Add("issuedAt", string.Create(
                    CultureInfo.InvariantCulture,
                    $"must not be more than {context.MaxAgeDays} days old: its business date {businessDate:yyyy-MM-dd} is before {oldestAllowed:yyyy-MM-dd}."));
            }
        }

        if (errors.Any)
        {
            return new ReceiptValidation.Invalid(errors.ToDictionary());
        }

        if (timeZone is null)
        {
            return new ReceiptValidation.ChainNotRegistered(chainId!);
        }

        // With no error, every field above was read and has its value.
        return new ReceiptValidation.Valid(new ValidatedReceipt(
            ChainId: chainId!,
            StoreId: storeId!,
            TerminalId: terminalId!,
            ReceiptNumber: receiptNumber!,
            IssuedAt: issuedAt!.Value,
            BusinessDate: businessDate!.Value,
            Currency: currency!,
            Type: type!,
            MemberId: memberId,
            OriginalReceipt: original is null
                ? null
                : new ValidatedOriginalReceipt(original.StoreId, original.TerminalId, original.ReceiptNumber, original.IssuedAt, BusinessDateOf(original.IssuedAt, timeZone)),
            Lines: lines.AsReadOnly(),
            Total: total!.Value));
    }

    /// <summary>The date an instant falls on in a time zone: a receipt's business date.</summary>
    public static DateOnly BusinessDateOf(DateTimeOffset instant, TimeZoneInfo timeZone) => ChainCalendar.DateOf(instant, timeZone);

    private static OriginalReference? ReadOriginalReceipt(JsonElement receipt, string? type, FieldReader read, ValidationErrors errors)
    {
        const string path = "originalReceipt";
        var present = receipt.TryGetProperty("originalReceipt", out var original) && original.ValueKind != JsonValueKind.Null;
        if (type == ReceiptTypes.Sale && present)
        {
            errors.Add(path, "is only allowed on a return.");
            return null;
        }

        if (!present)
        {
            if (type == ReceiptTypes.Return)
            {
                errors.Add(path, "is required on a return.");
            }

            return null;
        }

        if (original.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "must be an object.");
            return null;
        }

        var storeId = read.Identifier(original, "storeId", $"{path}.storeId");
        var terminalId = read.Identifier(original, "terminalId", $"{path}.terminalId");
        var receiptNumber = read.Identifier(original, "receiptNumber", $"{path}.receiptNumber");
        var issuedAt = read.Instant(original, "issuedAt", $"{path}.issuedAt");
        return storeId is null || terminalId is null || receiptNumber is null || issuedAt is null
            ? null
            : new OriginalReference(storeId, terminalId, receiptNumber, issuedAt.Value);
    }

    /// <returns>The lines that are valid, and the sum of the posted amounts when every line has a valid one.</returns>
    private static (List<ValidatedReceiptLine> Lines, decimal? AmountSum) ReadLines(JsonElement receipt, string? type, FieldReader read, ValidationErrors errors)
    {
        var validLines = new List<ValidatedReceiptLine>();
        var array = read.Required(receipt, "lines", "lines");
        if (array is not { } lines)
        {
            return (validLines, null);
        }

        if (lines.ValueKind != JsonValueKind.Array)
        {
            errors.Add("lines", "must be an array.");
            return (validLines, null);
        }

        var count = lines.GetArrayLength();
        if (count is < 1 or > Limits.MaxLinesPerReceipt)
        {
            errors.Add("lines", $"must have 1 to {Limits.MaxLinesPerReceipt} lines.");
            return (validLines, null);
        }

        decimal? amountSum = 0m;
        var indexByLineNumber = new Dictionary<int, int>();
        var indexByOriginalLineNumber = new Dictionary<int, int>();
        var index = 0;
        foreach (var line in lines.EnumerateArray())
        {
            var path = $"lines[{index}]";
            var reading = ReadLine(line, path, type, read, errors);
            if (reading.Line is not null)
            {
                validLines.Add(reading.Line);
            }

            amountSum += reading.Amount;
            if (reading.LineNumber is { } lineNumber && !indexByLineNumber.TryAdd(lineNumber, index))
            {
                errors.Add($"{path}.lineNumber", $"is the same as lines[{indexByLineNumber[lineNumber]}].lineNumber; line numbers must be unique.");
            }

            if (reading.OriginalLineNumber is { } originalLineNumber && !indexByOriginalLineNumber.TryAdd(originalLineNumber, index))
            {
                errors.Add($"{path}.originalLineNumber", $"is the same as lines[{indexByOriginalLineNumber[originalLineNumber]}].originalLineNumber; a return lists each original line once.");
            }

            index++;
        }

        return (validLines, amountSum);
    }

    private static LineReading ReadLine(JsonElement line, string path, string? type, FieldReader read, ValidationErrors errors)
    {
        if (line.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, "must be an object.");
            return new LineReading(null, null, null, null);
        }

        var errorsBefore = errors.Count;
        var lineNumber = read.PositiveInteger(line, "lineNumber", $"{path}.lineNumber");
        var gtinPresent = read.OptionalString(line, "gtin", $"{path}.gtin", out var gtinText);
        string? gtin14 = null;
        if (gtinText is not null && !Gtin.TryNormalize(gtinText, out gtin14))
        {
            errors.Add($"{path}.gtin", "must be 8, 12, 13 or 14 digits with a valid GS1 check digit.");
        }

        var skuPresent = read.OptionalString(line, "sku", $"{path}.sku", out var sku);
        if (sku is not null && !IsSku(sku))
        {
            errors.Add($"{path}.sku", $"must be 1 to {Limits.MaxSkuLength} printable characters, without leading or trailing spaces.");
        }

        if (!gtinPresent && !skuPresent)
        {
            errors.Add(path, "must have a gtin or a sku (or both).");
        }

        read.OptionalString(line, "description", $"{path}.description", out var description);
        if (description is not null && CharacterCount(description) > Limits.MaxDescriptionLength)
        {
            errors.Add($"{path}.description", $"must be at most {Limits.MaxDescriptionLength} characters.");
        }

        var quantity = read.Number(line, "quantity", $"{path}.quantity", NumberRule.Quantity);
        var unitPrice = read.Number(line, "unitPrice", $"{path}.unitPrice", NumberRule.Money);
        var discount = read.Number(line, "discount", $"{path}.discount", NumberRule.Money);
        var amount = read.Number(line, "amount", $"{path}.amount", NumberRule.Money);
        if (quantity is { } q && unitPrice is { } p && discount is { } d && amount is { } a)
        {
            var gross = Math.Round(q * p, Limits.MoneyDecimals, MidpointRounding.AwayFromZero);
            if (d > gross)
            {
                errors.Add($"{path}.discount", $"must not exceed round(quantity × unitPrice, 2) = {ReceiptCanonicalJson.FormatMoney(gross)}.");
            }
            else if (a != gross - d)
            {
                errors.Add($"{path}.amount", $"must be round(quantity × unitPrice, 2) − discount = {ReceiptCanonicalJson.FormatMoney(gross - d)}.");
            }
        }

        var originalLineNumber = ReadOriginalLineNumber(line, path, type, read, errors);
        var valid = errors.Count == errorsBefore
            ? new ValidatedReceiptLine(lineNumber!.Value, gtin14, sku, description, quantity!.Value, unitPrice!.Value, discount!.Value, amount!.Value, originalLineNumber)
            : null;
        return new LineReading(valid, lineNumber, originalLineNumber, amount);
    }

    private static int? ReadOriginalLineNumber(JsonElement line, string linePath, string? type, FieldReader read, ValidationErrors errors)
    {
        var path = $"{linePath}.originalLineNumber";
        var present = line.TryGetProperty("originalLineNumber", out var value) && value.ValueKind != JsonValueKind.Null;
        switch (type)
        {
            case ReceiptTypes.Sale when present:
                errors.Add(path, "is only allowed on a return.");
                return null;
            case ReceiptTypes.Return when !present:
                errors.Add(path, "is required on a return.");
                return null;
            default:
                return present ? read.PositiveInteger(line, "originalLineNumber", path) : null;
        }
    }

    private static bool IsSku(string sku)
    {
        if (sku.Length == 0 || sku[0] == ' ' || sku[^1] == ' ' || CharacterCount(sku) > Limits.MaxSkuLength)
        {
            return false;
        }

        foreach (var rune in sku.EnumerateRunes())
        {
            if (rune.Value != ' ' && Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                return false;
            }
        }

        return true;
    }

    private static int CharacterCount(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// How many places after the point a JSON number needs, from its text. The decimal parser keeps 28
    /// digits, so <c>1.0000000000000000000000000000001</c> would read as 1 and pass a limit of 3 places
    /// unseen; trailing zeros and exponents are taken into account (<c>1.50e1</c> needs none).
    /// </summary>
    private static int DecimalPlacesOf(ReadOnlySpan<byte> number)
    {
        const int exponentCap = 1_000_000;
        var position = number[0] == '-' ? 1 : 0;
        var fractionDigits = 0;
        var trailingZeros = 0;
        var allZero = true;
        var inFraction = false;
        for (; position < number.Length && (char.IsAsciiDigit((char)number[position]) || number[position] == '.'); position++)
        {
            if (number[position] == '.')
            {
                inFraction = true;
                continue;
            }

            fractionDigits += inFraction ? 1 : 0;
            trailingZeros = number[position] == '0' ? trailingZeros + 1 : 0;
            allZero &= number[position] == '0';
        }

        var exponent = 0;
        if (position < number.Length)
        {
            position++;
            var negative = number[position] == '-';
            position += number[position] is (byte)'-' or (byte)'+' ? 1 : 0;
            for (; position < number.Length; position++)
            {
                exponent = Math.Min((exponent * 10) + (number[position] - '0'), exponentCap);
            }

            exponent = negative ? -exponent : exponent;
        }

        return allZero ? 0 : Math.Max(0, fractionDigits - trailingZeros - exponent);
    }

    /// <summary>One posted line: the whole line if every field of it is valid, and each field the checks across lines need, if that field alone is valid.</summary>
    private sealed record LineReading(ValidatedReceiptLine? Line, int? LineNumber, int? OriginalLineNumber, decimal? Amount);

    private sealed record OriginalReference(string StoreId, string TerminalId, string ReceiptNumber, DateTimeOffset IssuedAt);

    internal sealed record NumberRule(bool ZeroAllowed, decimal Max, int Decimals)
    {
        public static readonly NumberRule Quantity = new(ZeroAllowed: false, Limits.MaxQuantity, Limits.QuantityDecimals);
        public static readonly NumberRule Money = new(ZeroAllowed: true, Limits.MaxMoney, Limits.MoneyDecimals);
    }

    /// <summary>Reads typed fields, recording at the field's path why one cannot be read (activities read theirs with it too).</summary>
    internal sealed class FieldReader(ValidationErrors errors)
    {
        public JsonElement? Required(JsonElement parent, string name, string path)
        {
            if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                errors.Add(path, "is required.");
                return null;
            }

            return value;
        }

        public string? RequiredString(JsonElement parent, string name, string path) =>
            Required(parent, name, path) is { } value && TryReadString(value, path, out var text) ? text : null;

        /// <returns>Whether the field is there (not absent, not null), readable or not.</returns>
        public bool OptionalString(JsonElement parent, string name, string path, out string? text)
        {
            text = null;
            if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return false;
            }

            if (TryReadString(value, path, out var read))
            {
                text = read;
            }

            return true;
        }

        public string? Identifier(JsonElement parent, string name, string path)
        {
            var text = RequiredString(parent, name, path);
            if (text is not null && !Ids.IsId(text))
            {
                errors.Add(path, $"must be {Ids.Rule}.");
                return null;
            }

            return text;
        }

        public string? OptionalMemberId(JsonElement parent, string name, string path)
        {
            OptionalString(parent, name, path, out var text);
            if (text is not null && !Ids.IsDotlessId(text))
            {
                errors.Add(path, $"must be {Ids.DotlessRule}.");
                return null;
            }

            return text;
        }

        public DateTimeOffset? Instant(JsonElement parent, string name, string path)
        {
            if (Required(parent, name, path) is not { } value)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.String)
            {
                errors.Add(path, InstantFormatMessage);
                return null;
            }

            if (!TryReadString(value, path, out var text))
            {
                return null;
            }

            var match = text.Length <= MaxInstantLength ? Rfc3339DateTime().Match(text) : Match.Empty;
            if (!match.Success)
            {
                errors.Add(path, InstantFormatMessage);
                return null;
            }

            // The strict shape is established; ParseExact now checks the calendar on one fixed layout.
            var fraction = match.Groups["fraction"].Value;
            fraction = fraction.Length > 7 ? fraction[..7] : fraction.PadRight(7, '0');
            var offset = match.Groups["offset"].Value is "Z" or "z" or "-00:00" ? "+00:00" : match.Groups["offset"].Value;
            var normalized = $"{match.Groups["date"].Value}T{match.Groups["time"].Value}.{fraction}{offset}";
            if (!DateTimeOffset.TryParseExact(normalized, InstantParseFormat, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
            {
                errors.Add(path, "is not a valid date and time (day, hour, minute, second or offset out of range).");
                return null;
            }

            return instant;
        }

        public decimal? Number(JsonElement parent, string name, string path, NumberRule rule)
        {
            if (Required(parent, name, path) is not { } value)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number)
            {
                errors.Add(path, "must be a number.");
                return null;
            }

            var raw = JsonMarshal.GetRawUtf8Value(value);
            var tooSmallMessage = rule.ZeroAllowed ? "must not be negative." : "must be greater than 0.";
            var tooLargeMessage = $"must not exceed {rule.Max.ToString(CultureInfo.InvariantCulture)}.";
            if (!value.TryGetDecimal(out var number))
            {
                errors.Add(path, raw[0] == '-' ? tooSmallMessage : tooLargeMessage);
                return null;
            }

            // Places before sign: 1e-400 reads as 0, and "too many places" is the truer answer than "not above 0".
            if (DecimalPlacesOf(raw) > rule.Decimals)
            {
                errors.Add(path, $"must have at most {rule.Decimals} decimal places.");
                return null;
            }

            if (number < 0 || (number == 0 && !rule.ZeroAllowed))
            {
                errors.Add(path, tooSmallMessage);
                return null;
            }

            if (number > rule.Max)
            {
                errors.Add(path, tooLargeMessage);
                return null;
            }

            return number;
        }

        public int? PositiveInteger(JsonElement parent, string name, string path)
        {
            if (Required(parent, name, path) is not { } value)
            {
                return null;
            }

            if (value.ValueKind != JsonValueKind.Number
                || !value.TryGetDecimal(out var number)
                || number is < 1 or > int.MaxValue
                || DecimalPlacesOf(JsonMarshal.GetRawUtf8Value(value)) > 0)
            {
                errors.Add(path, "must be a positive integer.");
                return null;
            }

            return (int)number;
        }

        // A JSON string can still hold text .NET cannot represent: an escaped lone surrogate (\ud800), or
        // invalid UTF-8 when the document did not come through ReceiptJson.
        private bool TryReadString(JsonElement value, string path, out string text)
        {
            text = "";
            if (value.ValueKind != JsonValueKind.String)
            {
                errors.Add(path, "must be a string.");
                return false;
            }

            try
            {
                text = value.GetString()!;
                return true;
            }
            catch (InvalidOperationException)
            {
                errors.Add(path, "is not valid Unicode text.");
                return false;
            }
        }
    }

    /// <summary>The errors found so far, by path, in the order found, capped so that a hopeless receipt gives a bounded answer.</summary>
    internal sealed class ValidationErrors
    {
        private readonly Dictionary<string, List<string>> _messagesByPath = new(StringComparer.Ordinal);

        public bool Any => _messagesByPath.Count > 0;

        /// <summary>How many messages were recorded, including those the caps dropped: it tells whether a step found anything.</summary>
        public int Count { get; private set; }

        public void Add(string path, string message)
        {
            Count++;
            if (_messagesByPath.TryGetValue(path, out var messages))
            {
                if (messages.Count < MaxMessagesPerPath)
                {
                    messages.Add(message);
                }
            }
            else if (_messagesByPath.Count < MaxErrorPaths)
            {
                _messagesByPath.Add(path, [message]);
            }
        }

        public Dictionary<string, string[]> ToDictionary() =>
            _messagesByPath.ToDictionary(entry => entry.Key, entry => entry.Value.ToArray(), StringComparer.Ordinal);
    }
}
