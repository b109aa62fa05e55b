using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Activities;

/// <summary>The malformed-request corpus for activities (as Receipts/MalformedRequestTests for receipts): every one a 4xx problem, none stored, none queued.</summary>
[Collection(FunctionAppTests.Name)]
public sealed class MalformedActivityTests
{
    private const string ChainId = "corpus-metro";

    [Fact]
    public async Task Every_malformed_activity_request_gets_a_4xx_problem_and_changes_nothing()
    {
        await using var app = await FunctionAppFixture.StartIntakeOnlyAsync();
        await app.RegisterChainAsync(ChainId);
        var queue = app.Azurite.Queues.GetQueueClient("receipts-to-score");
        await queue.CreateIfNotExistsAsync();
        var messagesBefore = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        using var client = app.Client();
        var failures = new List<string>();
        var cases = Corpus().ToList();

        foreach (var (name, path, body) in cases)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
            using var response = await client.PostAsync(path, content);
            var status = (int)response.StatusCode;
            var isProblem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
            if (status is < 400 or >= 500 || !isProblem)
            {
                failures.Add($"{name}: {status} {await response.Content.ReadAsStringAsync()}");
            }
        }

        Assert.True(cases.Count >= 40, $"the corpus has only {cases.Count} cases");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        var table = app.Azurite.Tables.GetTableClient("Activities");
        await table.CreateIfNotExistsAsync();
        Assert.Empty(await table.QueryAsync<TableEntity>(entity => entity.GetString("ChainId") == ChainId).ToListAsync());
        Assert.Equal(messagesBefore, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    private static IEnumerable<(string Name, string Path, byte[] Body)> Corpus()
    {
        const string single = "api/v1/activities";
        const string batch = "api/v1/activities/batch";
        (string, string, byte[]) Raw(string name, string text, string path = single) => (name, path, Encoding.UTF8.GetBytes(text));
        (string, string, byte[]) Edited(string name, Action<JsonObject> edit)
        {
            var activity = ActivitiesApiTests.Trip(ChainId, "C-1", "GM7Q2K9X");
            edit(activity);
            return Raw(name, activity.ToJsonString());
        }

        yield return Raw("empty body", "");
        yield return Raw("null", "null");
        yield return Raw("array", "[]");
        yield return Raw("number", "7");
        yield return Raw("unclosed object", "{\"chainId\": \"corpus-metro\"");
        yield return Raw("trailing comma", "{\"chainId\": \"corpus-metro\",}");
        yield return Raw("comment", "{/* x */}");
        yield return Raw("two documents", "{} {}");
        yield return Raw("duplicate property", ActivitiesApiTests.Trip(ChainId, "C-1", "GM7Q2K9X").ToJsonString().Replace("\"quantity\":1", "\"quantity\":1,\"quantity\":1", StringComparison.Ordinal));
        yield return ("invalid UTF-8", single, [.. Encoding.UTF8.GetBytes("{\"chainId\": \"corpus"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")]);
        yield return ("UTF-16 body", single, Encoding.Unicode.GetBytes(ActivitiesApiTests.Trip(ChainId, "C-1", "GM7Q2K9X").ToJsonString()));
        yield return Raw("deep arrays", new string('[', 200) + new string(']', 200));
        yield return Raw("body over 16 KiB", "{\"pad\":\"" + new string('x', 20 * 1024) + "\"}");
        yield return Raw("batch over 1 MiB", "{\"pad\":\"" + new string('x', 2 * 1024 * 1024) + "\"}", batch);
        yield return Raw("batch not an object", "[]", batch);
        yield return Raw("batch without activities", "{}", batch);
        yield return Raw("batch of none", "{\"activities\":[]}", batch);
        yield return Raw("batch of 501", "{\"activities\":[" + string.Join(',', Enumerable.Repeat("{}", 501)) + "]}", batch);
        yield return Edited("chainId a number", activity => activity["chainId"] = 7);
        yield return Edited("chainId missing", activity => activity.Remove("chainId"));
        yield return Edited("storeId null", activity => activity["storeId"] = null);
        yield return Edited("storeId path traversal", activity => activity["storeId"] = "../../admin");
        yield return Edited("terminalId an object", activity => activity["terminalId"] = new JsonObject());
        yield return Edited("activityId with a tilde", activity => activity["activityId"] = "a~b");
        yield return Edited("activityId of 65", activity => activity["activityId"] = new string('a', 65));
        yield return Edited("type unknown", activity => activity["type"] = "taxi");
        yield return Edited("type missing", activity => activity.Remove("type"));
        yield return Edited("type an array", activity => activity["type"] = new JsonArray());
        yield return Edited("member missing", activity => activity.Remove("memberId"));
        yield return Edited("member null", activity => activity["memberId"] = null);
        yield return Edited("member with a dot", activity => activity["memberId"] = "GM.1");
        yield return Edited("quantity 0", activity => activity["quantity"] = 0);
        yield return Edited("quantity negative", activity => activity["quantity"] = -1);
        yield return Edited("quantity a string", activity => activity["quantity"] = "1");
        yield return Edited("quantity 4 decimals", activity => activity["quantity"] = 0.0001m);
        yield return Edited("quantity over the type's maximum", activity => activity["quantity"] = 2);
        yield return Edited("quantity 1e400", activity => activity["quantity"] = JsonNode.Parse("1e400"));
        yield return Edited("occurredAt without offset", activity => activity["occurredAt"] = "2026-03-15T08:12:00");
        yield return Edited("occurredAt a number", activity => activity["occurredAt"] = 1773533520);
        yield return Edited("occurredAt far ahead", activity => activity["occurredAt"] = DateTimeOffset.UtcNow.AddDays(1).ToString("yyyy-MM-dd'T'HH:mm:ssK"));
        yield return Edited("occurredAt a year ago", activity => activity["occurredAt"] = DateTimeOffset.UtcNow.AddYears(-1).ToString("yyyy-MM-dd'T'HH:mm:ssK"));
        yield return Edited("unregistered chain", activity => activity["chainId"] = "no-such-chain-xyz");
    }
}
