using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Tests.Unit.Receipts;

/// <summary>Valid receipts to break one rule at a time, and the context they are valid in.</summary>
internal static partial class TestReceipts
{
    public const string Chain = "hualian";
    public const string NewYorkChain = "nyc-chain";

    /// <summary>After every issuedAt below, on the same business date in Shanghai.</summary>
    public static readonly DateTimeOffset Now = new(2026, 3, 15, 12, 0, 0, TimeSpan.FromHours(8));

    public static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    public static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    /// <summary>The example of api.md.</summary>
    public const string SaleJson = """
        {
          "chainId": "hualian",
          "storeId": "SH-0012",
          "terminalId": "POS-03",
          "receiptNumber": "20260315-000123",
          "issuedAt": "2026-03-15T10:42:11+08:00",
          "currency": "CNY",
          "type": "sale",
          "memberId": "GM7Q2K9X",
          "lines": [
            { "lineNumber": 1, "gtin": "6901234567892", "sku": "A-1001",
              "description": "水性木器漆 1L", "quantity": 2, "unitPrice": 129.00,
              "discount": 10.00, "amount": 248.00 }
          ],
          "total": 248.00
        }
        """;

    /// <summary>A partial return of the sale above.</summary>
    public const string ReturnJson = """
        {
          "chainId": "hualian",
          "storeId": "SH-0012",
          "terminalId": "POS-03",
          "receiptNumber": "20260315-000200",
          "issuedAt": "2026-03-15T11:05:00+08:00",
          "currency": "CNY",
          "type": "return",
          "memberId": "GM7Q2K9X",
          "originalReceipt": {
            "storeId": "SH-0012", "terminalId": "POS-03",
            "receiptNumber": "20260315-000123", "issuedAt": "2026-03-15T10:42:11+08:00"
          },
          "lines": [
            { "lineNumber": 1, "gtin": "6901234567892", "quantity": 1, "unitPrice": 129.00,
              "discount": 5.00, "amount": 124.00, "originalLineNumber": 1 }
          ],
          "total": 124.00
        }
        """;

    public static JsonObject Sale() => JsonNode.Parse(SaleJson)!.AsObject();

    public static JsonObject Return() => JsonNode.Parse(ReturnJson)!.AsObject();

    public static ReceiptValidationContext Context(DateTimeOffset? now = null, int maxAgeDays = ReceiptValidationContext.DefaultMaxAgeDays) =>
        new(now ?? Now, maxAgeDays, chainId => chainId switch
        {
            Chain => Shanghai,
            NewYorkChain => NewYork,
            _ => null,
        });

    public static ReceiptValidation Validate(JsonNode receipt, ReceiptValidationContext? context = null) =>
        Validate(receipt.ToJsonString(), context);

    public static ReceiptValidation Validate(string json, ReceiptValidationContext? context = null)
    {
        using var document = JsonDocument.Parse(json);
        return ReceiptValidator.Validate(document.RootElement, context ?? Context());
    }

    public static ValidatedReceipt AssertValid(ReceiptValidation validation)
    {
        if (validation is ReceiptValidation.Invalid invalid)
        {
            Assert.Fail("Expected a valid receipt, got errors: " + JsonSerializer.Serialize(invalid.Errors));
        }

        return Assert.IsType<ReceiptValidation.Valid>(validation).Receipt;
    }

    /// <summary>Asserts the receipt is rejected with errors at exactly these paths, and gives the errors.</summary>
    public static IDictionary<string, string[]> AssertRejectedAt(ReceiptValidation validation, params string[] paths)
    {
        var invalid = Assert.IsType<ReceiptValidation.Invalid>(validation);
        Assert.True(
            invalid.Errors.Keys.Order(StringComparer.Ordinal).SequenceEqual(paths.Order(StringComparer.Ordinal)),
            $"Expected errors at [{string.Join(", ", paths)}], got {JsonSerializer.Serialize(invalid.Errors)}");
        Assert.All(invalid.Errors.Values, messages => Assert.NotEmpty(messages));
        return invalid.Errors;
    }

    /// <summary>
    /// Sets the value at a path like <c>lines[0].gtin</c> or <c>originalReceipt.issuedAt</c> to a JSON
    /// text (<c>"\"x\""</c>, <c>"1e400"</c>, <c>"null"</c>), or removes it when <paramref name="json"/> is null.
    /// </summary>
    public static JsonObject With(this JsonObject receipt, string path, string? json)
    {
        var segments = path.Split('.');
        JsonNode parent = receipt;
        foreach (var segment in segments[..^1])
        {
            parent = Step(parent, segment);
        }

        var last = segments[^1];
        var indexed = Indexed().Match(last);
        if (indexed.Success)
        {
            var array = Step(parent, indexed.Groups["name"].Value).AsArray();
            var index = int.Parse(indexed.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture);
            if (json is null)
            {
                array.RemoveAt(index);
            }
            else
            {
                array[index] = JsonNode.Parse(json);
            }
        }
        else if (json is null)
        {
            parent.AsObject().Remove(last);
        }
        else
        {
            parent.AsObject()[last] = JsonNode.Parse(json);
        }

        return receipt;
    }

    public static string Quoted(string text) => JsonSerializer.Serialize(text);

    private static JsonNode Step(JsonNode node, string segment)
    {
        var indexed = Indexed().Match(segment);
        return indexed.Success
            ? node[indexed.Groups["name"].Value]![int.Parse(indexed.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture)]!
            : node[segment]!;
    }

    [GeneratedRegex(@"^(?<name>\w+)\[(?<index>[0-9]+)\]$")]
    private static partial Regex Indexed();
}
