using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Receipts;

[Collection(FunctionAppTests.Name)]
public sealed class ReceiptsApiTests(FunctionAppFixture app)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    [Fact]
    public async Task A_new_receipt_is_accepted_with_its_status_url_and_can_be_read_back()
    {
        var chainId = SampleReceipts.NewChainId();
        await app.RegisterChainAsync(chainId);
        var posKey = await app.CreateClientAsync("pos", chainId);
        using var client = app.Client(posKey);
        var receipt = SampleReceipts.Receipt(0, chainId);

        using var posted = await client.PostAsync("api/v1/receipts", AppApi.Json(receipt));
        var accepted = await posted.Content.ReadFromJsonAsync<ReceiptAccepted>();
        var status = await client.GetFromJsonAsync<ReceiptStatusView>(accepted!.StatusUrl.TrimStart('/'));

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        Assert.Equal("accepted", accepted.Status);
        Assert.Null(accepted.Duplicate);
        Assert.Equal(accepted.StatusUrl, posted.Headers.Location?.OriginalString);
        Assert.Equal(accepted.ReceiptId, status!.ReceiptId);
        Assert.Equal(chainId, status.ChainId);
        Assert.Equal((string?)receipt["storeId"], status.StoreId);
        Assert.Equal((string?)receipt["memberId"], status.MemberId);
        Assert.Equal("accepted", status.Status);
    }

    [Fact]
    public async Task Duplicate_post_with_same_content_returns_original_and_queues_nothing()
    {
        // A running scorer would empty the queue this test counts.
        await using var intake = await FunctionAppFixture.StartIntakeOnlyAsync();
        var chainId = SampleReceipts.NewChainId();
        await intake.RegisterChainAsync(chainId);
        using var client = intake.Client();
        var receipt = SampleReceipts.Receipt(1, chainId);
        using var first = await client.PostAsync("api/v1/receipts", AppApi.Json(receipt));
        var messagesBefore = await QueuedMessagesAsync(intake);

        // The same receipt with another formatting and property order is the same content.
        var reformatted = JsonSerializer.Serialize(JsonSerializer.Deserialize<SortedDictionary<string, JsonElement>>(receipt.ToJsonString()), Indented);
        using var second = await client.PostAsync("api/v1/receipts", AppApi.Json(reformatted));
        var original = await first.Content.ReadFromJsonAsync<ReceiptAccepted>();
        var duplicate = await second.Content.ReadFromJsonAsync<ReceiptAccepted>();

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.True(duplicate!.Duplicate);
        Assert.Equal(original!.ReceiptId, duplicate.ReceiptId);
        Assert.Equal(messagesBefore, await QueuedMessagesAsync(intake));
    }

    [Fact]
    public async Task Same_key_with_different_content_is_a_409_receipt_conflict()
    {
        var chainId = SampleReceipts.NewChainId();
        await app.RegisterChainAsync(chainId);
        using var client = app.Client();
        var receipt = SampleReceipts.Receipt(2, chainId);
        using var first = await client.PostAsync("api/v1/receipts", AppApi.Json(receipt));
        receipt["memberId"] = "SOMEONE-ELSE";

        using var second = await client.PostAsync("api/v1/receipts", AppApi.Json(receipt));
        var problem = await second.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Equal("https://posgreenpoints.cn/problems/receipt-conflict", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Twenty_concurrent_posts_of_one_receipt_store_it_once_and_queue_it_once()
    {
        // A running scorer would empty the queue this test counts.
        await using var intake = await FunctionAppFixture.StartIntakeOnlyAsync();
        var chainId = SampleReceipts.NewChainId();
        await intake.RegisterChainAsync(chainId);
        var receipt = SampleReceipts.Receipt(3, chainId).ToJsonString();
        var messagesBefore = await QueuedMessagesAsync(intake);
        using var start = new ManualResetEventSlim();

        var posts = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            using var client = intake.Client();
            start.Wait();
            using var response = await client.PostAsync("api/v1/receipts", AppApi.Json(receipt));
            return (response.StatusCode, Body: await response.Content.ReadFromJsonAsync<ReceiptAccepted>());
        })).ToList();
        start.Set();
        var answers = await Task.WhenAll(posts);

        Assert.Equal(1, answers.Count(answer => answer.StatusCode == HttpStatusCode.Accepted));
        Assert.Equal(19, answers.Count(answer => answer.StatusCode == HttpStatusCode.OK && answer.Body!.Duplicate == true));
        Assert.Single(answers.Select(answer => answer.Body!.ReceiptId).Distinct());
        Assert.Single(await StoredReceiptsAsync(intake, chainId));
        Assert.Equal(messagesBefore + 1, await QueuedMessagesAsync(intake));
    }

    [Fact]
    public async Task Concurrent_reposts_while_the_scorer_is_receiving_answer_202_200_or_409_and_never_5xx()
    {
        // The scorer of this app polls the queue all along, so the losers' messages are often held by it
        // when the losers delete them: the race the promise (never a 5xx) is about. Many rounds, because
        // each round is one throw of the dice.
        var chainId = SampleReceipts.NewChainId();
        await app.RegisterChainAsync(chainId);
        var answers = new List<(int Round, HttpStatusCode Status, string Body)>();
        var receiptIds = new List<string>();
        for (var round = 0; round < 8; round++)
        {
            var receipt = SampleReceipts.Receipt(10 + round, chainId);
            receipt["receiptNumber"] = $"RACE-{round:D2}";
            var same = receipt.ToJsonString();
            receipt["memberId"] = "OTHER-CONTENT";
            var other = receipt.ToJsonString();
            using var start = new ManualResetEventSlim();
            var posts = Enumerable.Range(0, 30).Select(index => Task.Run(async () =>
            {
                using var client = app.Client();
                start.Wait();
                using var response = await client.PostAsync("api/v1/receipts", AppApi.Json(index % 3 == 2 ? other : same));
                return (round, response.StatusCode, await response.Content.ReadAsStringAsync());
            })).ToList();
            start.Set();
            var roundAnswers = await Task.WhenAll(posts);
            answers.AddRange(roundAnswers);
            var accepted = Assert.Single(roundAnswers, answer => answer.StatusCode == HttpStatusCode.Accepted);
            receiptIds.Add(JsonDocument.Parse(accepted.Item3).RootElement.GetProperty("receiptId").GetString()!);
        }

        var unexpected = answers.Where(answer => answer.Status is not (HttpStatusCode.Accepted or HttpStatusCode.OK or HttpStatusCode.Conflict)).ToList();
        Assert.True(unexpected.Count == 0, $"{unexpected.Count} of {answers.Count} posts answered otherwise: " + string.Join("; ", unexpected.Take(5).Select(answer => $"round {answer.Round}: {(int)answer.Status} '{answer.Body}'")));
        Assert.Equal(8, (await StoredReceiptsAsync(chainId)).Count);
        using var reader = app.Client();
        Assert.All(await reader.WaitForScoredAsync(receiptIds), status => Assert.Equal("scored", status.Status));
    }

    [Fact]
    public async Task A_receipt_of_an_unregistered_chain_is_422_and_stores_nothing()
    {
        var chainId = SampleReceipts.NewChainId();
        using var client = app.Client();

        using var response = await client.PostAsync("api/v1/receipts", AppApi.Json(SampleReceipts.Receipt(4, chainId)));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("https://posgreenpoints.cn/problems/chain-not-registered", problem.GetProperty("type").GetString());
        Assert.Empty(await StoredReceiptsAsync(chainId));
    }

    [Fact]
    public async Task A_large_receipt_is_stored_by_claim_check_and_reads_back()
    {
        var chainId = SampleReceipts.NewChainId();
        await app.RegisterChainAsync(chainId);
        using var client = app.Client();
        var receipt = SampleReceipts.Receipt(5, chainId);
        var lines = new System.Text.Json.Nodes.JsonArray();
        for (var number = 1; number <= 500; number++)
        {
            lines.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["lineNumber"] = number, ["sku"] = $"SKU-{number:D5}", ["description"] = "水性木器漆 1L 环保型号",
                ["quantity"] = 1, ["unitPrice"] = 10.00m, ["discount"] = 0, ["amount"] = 10.00m,
            });
        }

        receipt["lines"] = lines;
        receipt["total"] = 5000.00m;

        using var posted = await client.PostAsync("api/v1/receipts", AppApi.Json(receipt));
        Assert.True(posted.StatusCode == HttpStatusCode.Accepted, await posted.Content.ReadAsStringAsync());
        var accepted = await posted.Content.ReadFromJsonAsync<ReceiptAccepted>();
        var stored = Assert.Single(await StoredReceiptsAsync(chainId));

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        Assert.NotNull(stored.GetString("BodyBlob"));
        Assert.Null(stored.GetString("Body"));
        var blob = app.Azurite.Blobs.GetBlobContainerClient("receipts").GetBlobClient(stored.GetString("BodyBlob"));
        Assert.Contains("SKU-00500", (await blob.DownloadContentAsync()).Value.Content.ToString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(accepted!.StatusUrl.TrimStart('/'))).StatusCode);
    }

    [Fact]
    public async Task A_receipt_id_of_another_chain_reads_as_404_exactly_like_a_missing_one()
    {
        var chainId = SampleReceipts.NewChainId();
        var otherChain = SampleReceipts.NewChainId();
        await app.RegisterChainAsync(chainId);
        await app.RegisterChainAsync(otherChain);
        using var operatorClient = app.Client();
        using var posted = await operatorClient.PostAsync("api/v1/receipts", AppApi.Json(SampleReceipts.Receipt(6, chainId)));
        var existing = (await posted.Content.ReadFromJsonAsync<ReceiptAccepted>())!.StatusUrl.TrimStart('/');
        var missing = existing.Replace("SH-", "XX-", StringComparison.Ordinal);
        using var otherChainClient = app.Client(await app.CreateClientAsync("pos", otherChain));

        using var present = await otherChainClient.GetAsync(existing);
        using var absent = await otherChainClient.GetAsync(missing);

        Assert.Equal(HttpStatusCode.NotFound, present.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
        Assert.Equal(await absent.Content.ReadAsStringAsync(), await present.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_receipt_shows_its_member_id_only_to_the_key_that_posted_it_and_to_operators()
    {
        var chainId = SampleReceipts.NewChainId();
        await app.RegisterChainAsync(chainId);
        using var poster = app.Client(await app.CreateClientAsync("pos", chainId));
        using var otherVendor = app.Client(await app.CreateClientAsync("pos", chainId));
        using var chain = app.Client(await app.CreateClientAsync("chain", chainId));
        using var operatorClient = app.Client();
        var receipt = SampleReceipts.Receipt(7, chainId);
        receipt["memberId"] = "GM-SCOPED-1";
        using var posted = await poster.PostAsync("api/v1/receipts", AppApi.Json(receipt));
        var statusUrl = (await posted.Content.ReadFromJsonAsync<ReceiptAccepted>())!.StatusUrl.TrimStart('/');

        var byPoster = await poster.GetFromJsonAsync<ReceiptStatusView>(statusUrl);
        var byOperator = await operatorClient.GetFromJsonAsync<ReceiptStatusView>(statusUrl);
        var byOtherVendor = await otherVendor.GetFromJsonAsync<ReceiptStatusView>(statusUrl);
        var byChain = await chain.GetFromJsonAsync<ReceiptStatusView>(statusUrl);

        Assert.Equal("GM-SCOPED-1", byPoster!.MemberId);
        Assert.Equal("GM-SCOPED-1", byOperator!.MemberId);
        Assert.Null(byOtherVendor!.MemberId);
        Assert.Null(byChain!.MemberId);
        Assert.Matches("^[0-9a-f]{32}$", byOtherVendor.MemberRef);
        Assert.Equal(byOtherVendor.MemberRef, byChain.MemberRef);
    }

    [Fact]
    public async Task A_receipt_declared_in_a_charset_other_than_UTF8_is_415_and_stores_nothing()
    {
        var chainId = SampleReceipts.NewChainId();
        await app.RegisterChainAsync(chainId);
        using var client = app.Client();
        using var content = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(SampleReceipts.Receipt(8, chainId).ToJsonString()));
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-16");

        using var response = await client.PostAsync("api/v1/receipts", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await StoredReceiptsAsync(chainId));
    }

    private static async Task<int> QueuedMessagesAsync(FunctionAppFixture intake)
    {
        var queue = intake.Azurite.Queues.GetQueueClient("receipts-to-score");
        await queue.CreateIfNotExistsAsync();
        return (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
    }

    private Task<List<TableEntity>> StoredReceiptsAsync(string chainId) => StoredReceiptsAsync(app, chainId);

    private static async Task<List<TableEntity>> StoredReceiptsAsync(FunctionAppFixture app, string chainId)
    {
        var entities = new List<TableEntity>();
        var table = app.Azurite.Tables.GetTableClient("Receipts");
        await table.CreateIfNotExistsAsync();
        await foreach (var entity in table.QueryAsync<TableEntity>(entity => entity.GetString("ChainId") == chainId))
        {
            entities.Add(entity);
        }

        return entities;
    }
}
