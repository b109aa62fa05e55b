using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Receipts;

/// <summary>
/// A corpus of malformed and hostile requests: every one gets a 4xx problem, none a 5xx, and none
/// stores a receipt or queues a message.
/// </summary>
[Collection(FunctionAppTests.Name)]
public sealed class MalformedRequestTests
{
    private const string ChainId = "corpus-chain";

    /// <param name="RefusedByServer">The web server refuses it before any function runs, with an empty 4xx of its own.</param>
    public sealed record BadRequest(string Name, HttpMethod Method, string Path, byte[]? Body, string? ContentType = "application/json", bool RefusedByServer = false);

    [Fact]
    public async Task Every_malformed_request_gets_a_4xx_problem_and_changes_nothing()
    {
        // A running scorer would empty the queue this test watches.
        await using var app = await FunctionAppFixture.StartIntakeOnlyAsync();
        await app.RegisterChainAsync(ChainId);
        var queue = app.Azurite.Queues.GetQueueClient("receipts-to-score");
        await queue.CreateIfNotExistsAsync();
        var messagesBefore = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        using var client = app.Client();
        var cases = Corpus().ToList();
        var failures = new List<string>();

        foreach (var bad in cases)
        {
            using var request = new HttpRequestMessage(bad.Method, bad.Path);
            if (bad.Body is not null)
            {
                request.Content = new ByteArrayContent(bad.Body);
                if (bad.ContentType is not null)
                {
                    request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(bad.ContentType);
                }
            }

            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            var isProblem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
            var isRouteMiss = status == 404 && body.Length == 0;
            var isServerRefusal = bad.RefusedByServer && body.Length == 0;
            if (status is < 400 or >= 500 || !(isProblem || isRouteMiss || isServerRefusal))
            {
                failures.Add($"{bad.Name}: {status} {response.Content.Headers.ContentType} {body[..Math.Min(body.Length, 300)]}");
            }
        }

        Assert.True(cases.Count >= 60, $"the corpus has only {cases.Count} cases");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.Empty(await StoredReceiptsAsync(app));
        Assert.Equal(messagesBefore, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    private static async Task<List<TableEntity>> StoredReceiptsAsync(FunctionAppFixture app)
    {
        var table = app.Azurite.Tables.GetTableClient("Receipts");
        await table.CreateIfNotExistsAsync();
        var stored = new List<TableEntity>();
        await foreach (var entity in table.QueryAsync<TableEntity>(entity => entity.GetString("ChainId") == ChainId))
        {
            stored.Add(entity);
        }

        return stored;
    }

    private static IEnumerable<BadRequest> Corpus()
    {
        const string receipts = "api/v1/receipts";
        const string batch = "api/v1/receipts/batch";

        BadRequest Raw(string name, string text, string path = receipts) => new(name, HttpMethod.Post, path, Encoding.UTF8.GetBytes(text));
        BadRequest Bytes(string name, byte[] bytes) => new(name, HttpMethod.Post, receipts, bytes);
        BadRequest Edited(string name, Action<JsonObject> edit)
        {
            var receipt = SampleReceipts.Receipt(10, ChainId);
            edit(receipt);
            return Raw(name, receipt.ToJsonString());
        }

        BadRequest EditedText(string name, string find, string replace)
        {
            var text = SampleReceipts.Receipt(11, ChainId).ToJsonString();
            Assert.Contains(find, text);
            return Raw(name, text.Replace(find, replace, StringComparison.Ordinal));
        }

        JsonObject Line(JsonObject receipt, int index = 0) => receipt["lines"]![index]!.AsObject();

        // Broken JSON.
        yield return Raw("empty body", "");
        yield return Raw("whitespace", "   ");
        yield return Raw("null", "null");
        yield return Raw("number", "42");
        yield return Raw("string", "\"receipt\"");
        yield return Raw("array", "[]");
        yield return Raw("unclosed object", "{\"chainId\": \"corpus-chain\"");
        yield return Raw("unclosed string", "{\"chainId\": \"corpus-chain}");
        yield return Raw("trailing comma", "{\"chainId\": \"corpus-chain\",}");
        yield return Raw("comment", "{/* hi */ \"chainId\": \"corpus-chain\"}");
        yield return Raw("single quotes", "{'chainId': 'corpus-chain'}");
        yield return Raw("NaN literal", SampleReceipts.Receipt(12, ChainId).ToJsonString().Replace("\"total\":", "\"total\":NaN,\"x\":", StringComparison.Ordinal));
        yield return Raw("Infinity literal", "{\"total\": Infinity}");
        yield return Raw("two documents", "{} {}");
        yield return EditedText("duplicate property", "\"currency\":\"CNY\"", "\"currency\":\"CNY\",\"currency\":\"USD\"");

        // Invalid UTF-8 and Unicode.
        yield return Bytes("invalid UTF-8 byte", [.. Encoding.UTF8.GetBytes("{\"chainId\": \"corpus"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")]);
        yield return Bytes("overlong UTF-8", [.. Encoding.UTF8.GetBytes("{\"chainId\": \""), 0xC0, 0xAF, .. Encoding.UTF8.GetBytes("\"}")]);
        yield return Bytes("truncated UTF-8", [.. Encoding.UTF8.GetBytes("{\"storeId\": \"店"), 0xE5, 0xBA]);
        yield return Bytes("UTF-16 body", Encoding.Unicode.GetBytes(SampleReceipts.Receipt(13, ChainId).ToJsonString()));
        yield return EditedText("lone surrogate escape", "\"storeId\":\"", "\"storeId\":\"\\uD800");
        yield return EditedText("escaped NUL in id", "\"terminalId\":\"", "\"terminalId\":\"\\u0000");

        // Deep nesting.
        yield return Raw("deep arrays", new string('[', 200) + new string(']', 200));
        yield return Raw("deep objects", string.Concat(Enumerable.Repeat("{\"a\":", 200)) + "1" + new string('}', 200));
        yield return Edited("deep value in a line", receipt => Line(receipt)["description"] = JsonNode.Parse(new string('[', 30) + new string(']', 30)));

        // Oversize.
        yield return Raw("body over 256 KiB", "{\"pad\":\"" + new string('x', 300 * 1024) + "\"}");
        yield return Raw("batch over 8 MiB", "{\"pad\":\"" + new string('x', 9 * 1024 * 1024) + "\"}", batch);

        // Wrong types.
        yield return Edited("chainId a number", receipt => receipt["chainId"] = 7);
        yield return Edited("storeId null", receipt => receipt["storeId"] = null);
        yield return Edited("terminalId an object", receipt => receipt["terminalId"] = new JsonObject());
        yield return Edited("lines an object", receipt => receipt["lines"] = new JsonObject());
        yield return Edited("lines a string", receipt => receipt["lines"] = "lines");
        yield return Edited("lines missing", receipt => receipt.Remove("lines"));
        yield return Edited("line not an object", receipt => receipt["lines"]![0] = 5);
        yield return Edited("lineNumber a string", receipt => Line(receipt)["lineNumber"] = "1");
        yield return Edited("quantity a string", receipt => Line(receipt)["quantity"] = "2");
        yield return Edited("quantity a boolean", receipt => Line(receipt)["quantity"] = true);
        yield return Edited("unitPrice an array", receipt => Line(receipt)["unitPrice"] = new JsonArray());
        yield return Edited("total an object", receipt => receipt["total"] = new JsonObject());
        yield return Edited("issuedAt a number", receipt => receipt["issuedAt"] = 1742000000);
        yield return Edited("issuedAt without offset", receipt => receipt["issuedAt"] = "2026-03-15T10:42:11");
        yield return Edited("issuedAt a date", receipt => receipt["issuedAt"] = "2026-03-15");
        yield return Edited("issuedAt garbage", receipt => receipt["issuedAt"] = "yesterday at noon");

        // Out-of-range numbers.
        yield return EditedText("quantity 1e400", "\"quantity\":", "\"quantity\":1e400,\"q\":");
        yield return Edited("amount beyond decimal", receipt => Line(receipt)["amount"] = JsonNode.Parse("79228162514264337593543950336"));
        yield return Edited("negative total", receipt => receipt["total"] = -1);
        yield return Edited("lineNumber beyond int", receipt => Line(receipt)["lineNumber"] = 2147483648L);
        yield return Edited("fractional lineNumber", receipt => Line(receipt)["lineNumber"] = 1.5);
        yield return Edited("negative lineNumber", receipt => Line(receipt)["lineNumber"] = -1);
        yield return Edited("zero quantity", receipt => Line(receipt)["quantity"] = 0);
        yield return Edited("quantity with 4 decimals", receipt => Line(receipt)["quantity"] = 1.0001m);
        yield return Edited("price with 3 decimals", receipt => Line(receipt)["unitPrice"] = 1.001m);
        yield return Edited("tiny quantity", receipt => Line(receipt)["quantity"] = JsonNode.Parse("1e-30"));
        yield return Edited("amount off by a fen", receipt => Line(receipt)["amount"] = (decimal)Line(receipt)["amount"]! + 0.01m);

        // Ids: control characters and path tricks.
        yield return Edited("newline in storeId", receipt => receipt["storeId"] = "SH\n12");
        yield return Edited("path traversal storeId", receipt => receipt["storeId"] = "../../admin");
        yield return Edited("slash in terminalId", receipt => receipt["terminalId"] = "a/b");
        yield return Edited("tilde in receiptNumber", receipt => receipt["receiptNumber"] = "a~b");
        yield return Edited("space in receiptNumber", receipt => receipt["receiptNumber"] = "a b");
        yield return Edited("Chinese storeId", receipt => receipt["storeId"] = "上海店");
        yield return Edited("65-char storeId", receipt => receipt["storeId"] = new string('s', 65));
        yield return Edited("empty terminalId", receipt => receipt["terminalId"] = "");
        yield return Edited("memberId with space", receipt => receipt["memberId"] = "GM 1");

        // Business rules.
        yield return Edited("currency USD", receipt => receipt["currency"] = "USD");
        yield return Edited("type refund", receipt => receipt["type"] = "refund");
        yield return Edited("return without original", receipt => receipt["type"] = "return");
        yield return Edited("no lines", receipt => receipt["lines"] = new JsonArray());
        yield return Edited("501 lines", receipt =>
        {
            var lines = new JsonArray();
            for (var number = 1; number <= 501; number++)
            {
                lines.Add(new JsonObject { ["lineNumber"] = number, ["sku"] = "S", ["quantity"] = 1, ["unitPrice"] = 0, ["discount"] = 0, ["amount"] = 0 });
            }

            receipt["lines"] = lines;
            receipt["total"] = 0;
        });
        yield return Edited("bad check digit", receipt => Line(receipt)["gtin"] = "6901234567893");
        yield return Edited("gtin with letters", receipt => Line(receipt)["gtin"] = "69012345678AB");
        yield return Edited("gtin of 7 digits", receipt => Line(receipt)["gtin"] = "1234565");
        yield return Edited("neither gtin nor sku", receipt => { Line(receipt).Remove("gtin"); Line(receipt).Remove("sku"); });
        yield return Edited("description over 200", receipt => Line(receipt)["description"] = new string('漆', 201));
        yield return Edited("issued far in the future", receipt => receipt["issuedAt"] = DateTimeOffset.UtcNow.AddDays(2).ToString("yyyy-MM-dd'T'HH:mm:ssK"));
        yield return Edited("issued a year ago", receipt => receipt["issuedAt"] = DateTimeOffset.UtcNow.AddYears(-1).ToString("yyyy-MM-dd'T'HH:mm:ssK"));
        yield return Edited("formula injection in storeId", receipt => receipt["storeId"] = "=HYPERLINK(\"x\")");

        // Media types.
        yield return new BadRequest("text/plain", HttpMethod.Post, receipts, Encoding.UTF8.GetBytes(SampleReceipts.Receipt(14, ChainId).ToJsonString()), "text/plain");
        yield return new BadRequest("form encoded", HttpMethod.Post, receipts, Encoding.UTF8.GetBytes("chainId=corpus-chain"), "application/x-www-form-urlencoded");
        yield return new BadRequest("xml", HttpMethod.Post, receipts, Encoding.UTF8.GetBytes("<receipt/>"), "application/xml");

        // Batch envelopes.
        yield return Raw("batch not an object", "[]", batch);
        yield return Raw("batch receipts null", "{\"receipts\": null}", batch);
        yield return Raw("batch receipts a string", "{\"receipts\": \"all\"}", batch);
        yield return Raw("batch empty", "{\"receipts\": []}", batch);
        yield return Raw("batch of 501", "{\"receipts\": [" + string.Join(",", Enumerable.Repeat("{}", 501)) + "]}", batch);

        // Receipt ids in the path.
        // Kestrel itself refuses a NUL in the path, as it must.
        yield return new BadRequest("receipt id NUL", HttpMethod.Get, $"{receipts}/%00", null, RefusedByServer: true);
        foreach (var id in new[] { "..%2F..%2Fadmin", "a~b~c", new string('x', 400), "corpus-chain~SH~2026-03-15~T~1", "corpus-chain~SH~20261399~T~1", "%E5%BA%97", "corpus-chain~SH~20260315~T~1~extra" })
        {
            yield return new BadRequest($"receipt id '{id[..Math.Min(id.Length, 20)]}'", HttpMethod.Get, $"{receipts}/{id}", null);
        }
    }
}
