using System.Globalization;
using System.Text;
using System.Text.Json;

namespace PosGreenPoints.Functions.Receipts;

/// <summary>
/// Writes and reads the canonical form of a <see cref="ValidatedReceipt"/>.
/// <para>
/// The text is written by hand rather than by <see cref="Utf8JsonWriter"/> because the hash of a stored
/// receipt is compared with the hash of a later repost, possibly computed by a newer runtime: the
/// writer's escaping follows the runtime's Unicode tables, which change between versions. Here only
/// what JSON requires is escaped (quote, backslash, U+0000–U+001F, as RFC 8785 does), so the form is
/// fixed by this file alone.
/// </para>
/// </summary>
internal static class ReceiptCanonicalJson
{
    public const string IssuedAtFormat = "yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFFzzz";
    public const string DateFormat = "yyyy'-'MM'-'dd";

    public static string Write(ValidatedReceipt receipt)
    {
        var json = new StringBuilder(256 + (receipt.Lines.Count * 200));
        json.Append('{');
        AppendString(json, "chainId", receipt.ChainId);
        AppendString(json, "storeId", receipt.StoreId);
        AppendString(json, "terminalId", receipt.TerminalId);
        AppendString(json, "receiptNumber", receipt.ReceiptNumber);
        AppendString(json, "issuedAt", FormatInstant(receipt.IssuedAt));
        AppendString(json, "businessDate", FormatDate(receipt.BusinessDate));
        AppendString(json, "currency", receipt.Currency);
        AppendString(json, "type", receipt.Type);
        AppendOptionalString(json, "memberId", receipt.MemberId);
        if (receipt.OriginalReceipt is { } original)
        {
            AppendName(json, "originalReceipt");
            json.Append('{');
            AppendString(json, "storeId", original.StoreId);
            AppendString(json, "terminalId", original.TerminalId);
            AppendString(json, "receiptNumber", original.ReceiptNumber);
            AppendString(json, "issuedAt", FormatInstant(original.IssuedAt));
            AppendString(json, "businessDate", FormatDate(original.BusinessDate));
            EndObject(json);
            json.Append(',');
        }

        AppendName(json, "lines");
        json.Append('[');
        foreach (var line in receipt.Lines)
        {
            json.Append('{');
            AppendRaw(json, "lineNumber", line.LineNumber.ToString(CultureInfo.InvariantCulture));
            AppendOptionalString(json, "gtin", line.Gtin14);
            AppendOptionalString(json, "sku", line.Sku);
            AppendOptionalString(json, "description", line.Description);
            AppendRaw(json, "quantity", FormatQuantity(line.Quantity));
            AppendRaw(json, "unitPrice", FormatMoney(line.UnitPrice));
            AppendRaw(json, "discount", FormatMoney(line.Discount));
            AppendRaw(json, "amount", FormatMoney(line.Amount));
            if (line.OriginalLineNumber is { } originalLineNumber)
            {
                AppendRaw(json, "originalLineNumber", originalLineNumber.ToString(CultureInfo.InvariantCulture));
            }

            EndObject(json);
            json.Append(',');
        }

        if (receipt.Lines.Count > 0)
        {
            json.Length--;
        }

        json.Append("],");
        AppendRaw(json, "total", FormatMoney(receipt.Total));
        EndObject(json);
        return json.ToString();
    }

    public static ValidatedReceipt Read(string canonicalJson)
    {
        try
        {
            using var document = JsonDocument.Parse(canonicalJson);
            var root = document.RootElement;
            return new ValidatedReceipt(
                ChainId: RequiredString(root, "chainId"),
                StoreId: RequiredString(root, "storeId"),
                TerminalId: RequiredString(root, "terminalId"),
                ReceiptNumber: RequiredString(root, "receiptNumber"),
                IssuedAt: ParseInstant(RequiredString(root, "issuedAt")),
                BusinessDate: ParseDate(RequiredString(root, "businessDate")),
                Currency: RequiredString(root, "currency"),
                Type: RequiredString(root, "type"),
                MemberId: OptionalString(root, "memberId"),
                OriginalReceipt: root.TryGetProperty("originalReceipt", out var original) ? ReadOriginal(original) : null,
                Lines: [.. root.GetProperty("lines").EnumerateArray().Select(ReadLine)],
                Total: root.GetProperty("total").GetDecimal());
        }
        catch (Exception failure) when (failure is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException("The text is not a canonical receipt.", failure);
        }
    }

    public static string FormatMoney(decimal value) => value.ToString("0.00", CultureInfo.InvariantCulture);

    public static string FormatQuantity(decimal value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string FormatInstant(DateTimeOffset value) => value.ToString(IssuedAtFormat, CultureInfo.InvariantCulture);

    private static string FormatDate(DateOnly value) => value.ToString(DateFormat, CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseInstant(string text) =>
        DateTimeOffset.ParseExact(text, IssuedAtFormat, CultureInfo.InvariantCulture, DateTimeStyles.None);

    private static DateOnly ParseDate(string text) => DateOnly.ParseExact(text, DateFormat, CultureInfo.InvariantCulture);

    private static ValidatedOriginalReceipt ReadOriginal(JsonElement original) => new(
        StoreId: RequiredString(original, "storeId"),
        TerminalId: RequiredString(original, "terminalId"),
        ReceiptNumber: RequiredString(original, "receiptNumber"),
        IssuedAt: ParseInstant(RequiredString(original, "issuedAt")),
        BusinessDate: ParseDate(RequiredString(original, "businessDate")));

    private static ValidatedReceiptLine ReadLine(JsonElement line) => new(
        LineNumber: line.GetProperty("lineNumber").GetInt32(),
        Gtin14: OptionalString(line, "gtin"),
        Sku: OptionalString(line, "sku"),
        Description: OptionalString(line, "description"),
        Quantity: line.GetProperty("quantity").GetDecimal(),
        UnitPrice: line.GetProperty("unitPrice").GetDecimal(),
        Discount: line.GetProperty("discount").GetDecimal(),
        Amount: line.GetProperty("amount").GetDecimal(),
        OriginalLineNumber: line.TryGetProperty("originalLineNumber", out var originalLineNumber) ? originalLineNumber.GetInt32() : null);

    private static string RequiredString(JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new FormatException($"'{name}' is null.");

    private static string? OptionalString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.GetString() : null;

    private static void AppendOptionalString(StringBuilder json, string name, string? value)
    {
        if (value is not null)
        {
            AppendString(json, name, value);
        }
    }

    private static void AppendString(StringBuilder json, string name, string value)
    {
        AppendName(json, name);
        AppendQuoted(json, value);
        json.Append(',');
    }

    private static void AppendRaw(StringBuilder json, string name, string value)
    {
        AppendName(json, name);
        json.Append(value).Append(',');
    }

    private static void AppendName(StringBuilder json, string name)
    {
        AppendQuoted(json, name);
        json.Append(':');
    }

    // Every member is written with a trailing comma; the last one's is replaced by the closing brace.
    private static void EndObject(StringBuilder json)
    {
        if (json[^1] == ',')
        {
            json.Length--;
        }

        json.Append('}');
    }

    private static void AppendQuoted(StringBuilder json, string value)
    {
        json.Append('"');
        foreach (var character in value)
        {
            switch (character)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append("\\u").Append(((int)character).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: json.Append(character); break;
            }
        }

        json.Append('"');
    }
}
