using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using PosGreenPoints.Contracts.Activities;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Activities;

/// <summary>activities.md over real HTTP through the runner.</summary>
[Collection(FunctionAppTests.Name)]
public sealed class ActivitiesApiTests(FunctionAppFixture app)
{
    public static JsonObject Trip(string chainId, string activityId, string memberId, string type = "transit-trip", decimal quantity = 1) => new()
    {
        ["chainId"] = chainId, ["storeId"] = "L2-NANJINGDONGLU", ["terminalId"] = "GATE-07", ["activityId"] = activityId,
        ["type"] = type, ["memberId"] = memberId, ["quantity"] = quantity,
        ["occurredAt"] = DateTimeOffset.UtcNow.AddMinutes(-3).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
    };

    internal static async Task RegisterServiceChainAsync(HttpClient operatorClient, string chainId)
    {
        using var response = await operatorClient.PutAsJsonAsync($"api/v1/admin/chains/{chainId}", new ChainRegistration("上海地铁", Kind: ChainKinds.Service));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(ChainKinds.Service, (await response.Content.ReadFromJsonAsync<ChainView>())!.Kind);
    }

    [Fact]
    public async Task A_gate_posts_a_trip_that_is_scored_into_a_lot_of_its_chain_and_a_service_chain_cannot_post_receipts()
    {
        var chainId = SampleReceipts.NewChainId("metro");
        using var operatorClient = app.Client();
        await RegisterServiceChainAsync(operatorClient, chainId);
        using var gate = app.Client(await app.CreateClientAsync("pos", chainId));
        var memberId = "M" + Guid.NewGuid().ToString("N")[..12];

        using var posted = await gate.PostAsync("api/v1/activities", AppApi.Json(Trip(chainId, "T-1", memberId)));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var accepted = (await posted.Content.ReadFromJsonAsync<ActivityAccepted>())!;
        Assert.Equal(accepted.StatusUrl, posted.Headers.Location?.OriginalString);

        ActivityStatusView? status = null;
        for (var attempt = 0; attempt < 300 && status?.Status != "scored"; attempt++)
        {
            await Task.Delay(100);
            status = await gate.GetFromJsonAsync<ActivityStatusView>(accepted.StatusUrl.TrimStart('/'));
        }

        Assert.Equal(("scored", 10L, memberId, "T-1", "transit-trip"), (status!.Status, status.Points, status.MemberId, status.ActivityId, status.Type));
        var lots = await operatorClient.GetFromJsonAsync<LotsView>($"api/v1/members/{memberId}/lots");
        var lot = Assert.Single(lots!.Lots);
        Assert.Equal((accepted.Id, chainId, 10L, lot.EarnedAt), (lot.LotId, lot.IssuerChainId, lot.Remaining, lot.AvailableAt));

        using var receipt = await gate.PostAsync("api/v1/receipts", AppApi.Json(SampleReceipts.Receipt(0, chainId)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, receipt.StatusCode);
        Assert.Contains("chain-kind-mismatch", await receipt.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_activity_or_an_adjustment_naming_an_unregistered_chain_is_422_and_changes_nothing()
    {
        var chainId = SampleReceipts.NewChainId("nochain");
        using var operatorClient = app.Client();
        var memberId = "M" + Guid.NewGuid().ToString("N")[..12];

        using var activity = await operatorClient.PostAsync("api/v1/activities", AppApi.Json(Trip(chainId, "T-NONE", memberId)));
        using var adjustment = await operatorClient.PostAsJsonAsync($"api/v1/admin/members/{memberId}/adjustments", new AdjustmentRequest("ADJ-NONE", chainId, 100, "goodwill"));

        foreach (var answer in new[] { activity, adjustment })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, answer.StatusCode);
            Assert.Equal("https://posgreenpoints.cn/problems/chain-not-registered", (await answer.Content.ReadFromJsonAsync<JsonObject>())!["type"]!.GetValue<string>());
        }

        using var lots = await operatorClient.GetAsync($"api/v1/members/{memberId}/lots");
        Assert.Equal(HttpStatusCode.NotFound, lots.StatusCode);
    }

    [Fact]
    public async Task Thirty_concurrent_posts_of_one_activity_answer_one_202_and_the_rest_200_and_a_changed_one_409()
    {
        var chainId = SampleReceipts.NewChainId("metro30");
        using var operatorClient = app.Client();
        await RegisterServiceChainAsync(operatorClient, chainId);
        var posKey = await app.CreateClientAsync("pos", chainId);
        var body = Trip(chainId, "T-30", "M30" + Guid.NewGuid().ToString("N")[..8]).ToJsonString();
        using var start = new ManualResetEventSlim();

        var posts = Enumerable.Range(0, 30).Select(_ => Task.Run(async () =>
        {
            using var client = app.Client(posKey);
            start.Wait();
            using var response = await client.PostAsync("api/v1/activities", AppApi.Json(body));
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        })).ToList();
        start.Set();
        var answers = await Task.WhenAll(posts);

        Assert.DoesNotContain(answers, answer => (int)answer.StatusCode >= 500);
        Assert.Equal(1, answers.Count(answer => answer.StatusCode == HttpStatusCode.Accepted));
        Assert.Equal(29, answers.Count(answer => answer.StatusCode == HttpStatusCode.OK && answer.Body.Contains("\"duplicate\":true", StringComparison.Ordinal)));
        var table = app.Azurite.Tables.GetTableClient("Activities");
        Assert.Single(await table.QueryAsync<TableEntity>(entity => entity.GetString("ChainId") == chainId).ToListAsync());

        var changed = JsonNode.Parse(body)!.AsObject();
        changed["quantity"] = 0.5m;
        using var conflict = await app.Client(posKey).PostAsync("api/v1/activities", AppApi.Json(changed));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Contains("activity-conflict", await conflict.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_answers_each_activity_in_order_and_one_bad_one_does_not_sink_the_rest()
    {
        var chainId = SampleReceipts.NewChainId("metrob");
        using var operatorClient = app.Client();
        await RegisterServiceChainAsync(operatorClient, chainId);
        var bad = Trip(chainId, "B-2", "MB1");
        bad["quantity"] = 2;
        var batch = new JsonObject { ["activities"] = new JsonArray(Trip(chainId, "B-1", "MB1"), bad, Trip(chainId, "B-1", "MB1"), Trip(chainId, "B-3", "MB1", "bike-share", 7.5m)) };

        using var response = await operatorClient.PostAsync("api/v1/activities/batch", AppApi.Json(batch));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadFromJsonAsync<ActivityBatchResult>())!.Results;
        Assert.Equal(["accepted", "rejected", "duplicate", "accepted"], results.Select(result => result.Status));
        Assert.Equal(["quantity"], results[1].Errors!.Keys);
        Assert.Equal(results[0].Id, results[2].Id);
    }

    [Fact]
    public async Task An_operator_adjustment_posts_once_shows_its_reason_and_a_debit_beyond_the_balance_is_debt()
    {
        var chainId = SampleReceipts.NewChainId("adj");
        await app.RegisterChainAsync(chainId);
        using var operatorClient = app.Client();
        var memberId = "MA" + Guid.NewGuid().ToString("N")[..10];
        var credit = new AdjustmentRequest("ADJ-1", chainId, 300, "客服补偿 goodwill");

        using var first = await operatorClient.PostAsJsonAsync($"api/v1/admin/members/{memberId}/adjustments", credit);
        using var again = await operatorClient.PostAsJsonAsync($"api/v1/admin/members/{memberId}/adjustments", credit);
        using var other = await operatorClient.PostAsJsonAsync($"api/v1/admin/members/{memberId}/adjustments", credit with { Points = 200 });
        using var debit = await operatorClient.PostAsJsonAsync($"api/v1/admin/members/{memberId}/adjustments", new AdjustmentRequest("ADJ-2", chainId, -500, "更正 correction"));
        using var pos = app.Client(await app.CreateClientAsync("pos", chainId));
        using var refused = await pos.PostAsJsonAsync($"api/v1/admin/members/{memberId}/adjustments", credit with { AdjustmentId = "ADJ-3" });
        using var invalid = await operatorClient.PostAsync($"api/v1/admin/members/{memberId}/adjustments", new StringContent("""{"adjustmentId":"A","chainId":"x","points":0,"reason":""}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True((await again.Content.ReadFromJsonAsync<AdjustmentResult>())!.Duplicate);
        Assert.Equal(HttpStatusCode.Conflict, other.StatusCode);
        Assert.Equal(HttpStatusCode.Created, debit.StatusCode);
        Assert.Equal(-200, (await debit.Content.ReadFromJsonAsync<AdjustmentResult>())!.Balance);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("\"points\"", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var points = await operatorClient.GetFromJsonAsync<MemberPointsView>($"api/v1/members/{memberId}/points");
        Assert.Equal((-200L, 200L, 0L), (points!.Balance, points.Debt, points.Available));
        var statement = await operatorClient.GetFromJsonAsync<StatementView>($"api/v1/members/{memberId}/statement");
        Assert.Equal([("adjustment", -500L), ("adjustment", 300L)], statement!.Entries.Select(entry => (entry.Kind, entry.Points)));
        Assert.Equal("客服补偿 goodwill", statement.Entries[1].Note);
        Assert.StartsWith("更正 correction", statement.Entries[0].Note, StringComparison.Ordinal);
    }
}
