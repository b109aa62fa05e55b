using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Scoring;

/// <summary>
/// The whole scoring path over HTTP: the sample lists published, the sample receipts posted, scored by
/// the queue-triggered function in the runner, and every receipt's points checked against an
/// independent calculation; then returns.
/// </summary>
[Collection(FunctionAppTests.Name)]
public sealed class ScoringEndToEndTests(FunctionAppFixture app)
{

    [Fact]
    public async Task Every_sample_receipt_earns_the_points_the_rules_give_and_members_hold_the_sum()
    {
        var chainId = SampleReceipts.NewChainId("score");
        await app.RegisterChainAsync(chainId);
        await app.PublishSampleListsAsync();
        using var client = app.Client();
        var start = DateTimeOffset.UtcNow.AddMinutes(-20);
        var receipts = Enumerable.Range(0, SampleReceipts.Count).Select(index => SampleReceipts.Receipt(index, chainId, start.AddSeconds(index * 5))).ToList();

        // The daily cap spans chains, and other tests post the same sample members today: members of their own.
        var memberSuffix = "-" + chainId[^8..];
        foreach (var receipt in receipts.Where(receipt => receipt["memberId"] is not null))
        {
            receipt["memberId"] = (string)receipt["memberId"]! + memberSuffix;
        }

        using var posted = await client.PostAsync("api/v1/receipts/batch", AppApi.Json(new JsonObject { ["receipts"] = new JsonArray([.. receipts.Select(receipt => receipt.DeepClone())]) }));
        var results = (await posted.Content.ReadFromJsonAsync<BatchResult>())!.Results;
        Assert.All(results, result => Assert.Equal("accepted", result.Status));
        var scored = await client.WaitForScoredAsync(results.Select(result => result.ReceiptId!).ToList());

        var independent = new IndependentPoints();
        var expected = receipts.Select(independent.Score).ToList();
        var byMemberDay = receipts.Select((receipt, index) => (Member: (string?)receipt["memberId"], Day: IndependentPoints.BusinessDate(receipt), Points: expected[index].Sum(line => line.Points)))
            .Where(item => item.Member is not null)
            .GroupBy(item => (item.Member, item.Day))
            .ToDictionary(group => group.Key, group => group.Sum(item => item.Points));
        for (var index = 0; index < receipts.Count; index++)
        {
            var actual = scored[index];
            var member = (string?)receipts[index]["memberId"];
            var memberDayTotal = member is null ? 0 : byMemberDay[(member, IndependentPoints.BusinessDate(receipts[index]))];
            if (memberDayTotal <= 20000)
            {
                Assert.Equal(expected[index].Sum(line => line.Points), actual.Points);
                foreach (var line in expected[index].Where(line => line.Green || line.LowVoc))
                {
                    var scoredLine = Assert.Single(actual.Lines!, candidate => candidate.LineNumber == line.LineNumber);
                    Assert.Equal(line.Points, scoredLine.Points);
                    Assert.Equal(line.Green, scoredLine.Matches.Any(match => match.ListId == "certified-green" && match.CertificateNumber == line.Certificate));
                    Assert.Equal(line.LowVoc, scoredLine.Matches.Any(match => match.ListId == "low-voc"));
                }

                Assert.Equal(expected[index].Count(line => line.Green || line.LowVoc), actual.Lines!.Count);
            }
        }

        foreach (var memberGroup in byMemberDay.GroupBy(pair => pair.Key.Member))
        {
            using var answer = await client.GetAsync($"api/v1/members/{memberGroup.Key}/points");
            var ofThisChain = scored.Where((receipt, index) => (string?)receipts[index]["memberId"] == memberGroup.Key).Sum(receipt => receipt.Points!.Value);
            // A member whose receipts earned nothing has no posting in the wallet: the same 404 as an unknown member (wallet.md).
            Assert.Equal(ofThisChain == 0 ? HttpStatusCode.NotFound : HttpStatusCode.OK, answer.StatusCode);
            Assert.Equal(ofThisChain, ofThisChain == 0 ? 0 : (await answer.Content.ReadFromJsonAsync<MemberPointsView>())!.Earned);
            Assert.Equal(memberGroup.Sum(pair => Math.Min(pair.Value, 20000)), ofThisChain);
        }
    }

    [Fact]
    public async Task Returns_reverse_what_was_awarded_never_more_and_a_return_of_a_sale_not_posted_yet_waits_for_it()
    {
        var chainId = SampleReceipts.NewChainId("ret");
        await app.RegisterChainAsync(chainId);
        await app.PublishSampleListsAsync();
        using var client = app.Client();
        var issuedAt = DateTimeOffset.UtcNow.AddMinutes(-10);

        var sale = new JsonObject
        {
            ["chainId"] = chainId, ["storeId"] = "SH-0001", ["terminalId"] = "POS-01", ["receiptNumber"] = "SALE-1",
            ["issuedAt"] = issuedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["currency"] = "CNY", ["type"] = "sale", ["memberId"] = $"RET{Guid.NewGuid():N}"[..20],
            ["lines"] = new JsonArray(
                Line(1, GreenAndLowVocGtin(issuedAt), quantity: 3, unitPrice: 100.00m),
                Line(2, GreenAndLowVocGtin(issuedAt), quantity: 4, unitPrice: 25.00m)),
            ["total"] = 400.00m,
        };
        var saleStatus = (await PostAndWaitAsync(client, sale)).Single();
        Assert.Equal(450 + 150, saleStatus.Points);

        // Line 1 returned in full. Line 2 in two returns posted together, 1 and then 4 of its 4: each fits
        // alone, so only scoring sees that together they return more than was bought.
        var full = await PostAndWaitAsync(client, Return(sale, "RET-1", (1, 1, 3, 100.00m)));
        using var both = await client.PostAsync("api/v1/receipts/batch", AppApi.Json(new JsonObject
        {
            ["receipts"] = new JsonArray(Return(sale, "RET-2", (1, 2, 1, 25.00m)), Return(sale, "RET-3", (1, 2, 4, 25.00m))),
        }));
        var partials = await client.WaitForScoredAsync((await both.Content.ReadFromJsonAsync<BatchResult>())!.Results.Select(result => result.ReceiptId!).ToList());
        using var nothingLeft = await client.PostAsync("api/v1/receipts", AppApi.Json(Return(sale, "RET-5", (1, 2, 1, 25.00m))));
        var orphan = Return(sale, "RET-4", (1, 1, 1, 100.00m));
        orphan["originalReceipt"]!["receiptNumber"] = "NO-SUCH-SALE";
        using var orphanPosted = await client.PostAsync("api/v1/receipts", AppApi.Json(orphan));
        var orphanStatus = await WaitForNoteAsync(client, (await orphanPosted.Content.ReadFromJsonAsync<ReceiptAccepted>())!.ReceiptId, "waiting-for-original");

        Assert.Equal(-450, full.Single().Points);
        Assert.Equal(-150, partials.Sum(receipt => receipt.Points));
        Assert.Single(partials, receipt => receipt.Notes.Contains("over-return"));
        Assert.Equal(HttpStatusCode.BadRequest, nothingLeft.StatusCode);
        Assert.Contains("lines[0].quantity", await nothingLeft.Content.ReadAsStringAsync());
        // The sale may still be posted (tills upload late), so the return waits rather than scoring 0.
        Assert.Equal("accepted", orphanStatus.Status);
        Assert.Null(orphanStatus.Points);
        var balance = await client.GetFromJsonAsync<MemberPointsView>($"api/v1/members/{sale["memberId"]}/points");
        Assert.Equal(600, balance!.Earned);
        Assert.Equal(600, balance.Reversed);
        Assert.Equal(0, balance.Balance);
    }

    private static async Task<ReceiptStatusView> WaitForNoteAsync(HttpClient client, string receiptId, string note)
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(2);
        while (true)
        {
            var status = (await client.GetFromJsonAsync<ReceiptStatusView>($"api/v1/receipts/{Uri.EscapeDataString(receiptId)}"))!;
            if (status.Notes.Contains(note))
            {
                return status;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"receipt {receiptId} never noted {note}: {status.Status} [{string.Join(", ", status.Notes)}]");
            await Task.Delay(250);
        }
    }

    private static async Task<IReadOnlyList<ReceiptStatusView>> PostAndWaitAsync(HttpClient client, JsonObject receipt)
    {
        using var response = await client.PostAsync("api/v1/receipts", AppApi.Json(receipt));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        var accepted = await response.Content.ReadFromJsonAsync<ReceiptAccepted>();
        return await client.WaitForScoredAsync([accepted!.ReceiptId]);
    }

    private static JsonObject Line(int number, string gtin, decimal quantity, decimal unitPrice) => new()
    {
        ["lineNumber"] = number, ["gtin"] = gtin, ["quantity"] = quantity, ["unitPrice"] = unitPrice,
        ["discount"] = 0m, ["amount"] = quantity * unitPrice,
    };

    private static JsonObject Return(JsonObject sale, string number, params (int Line, int OriginalLine, decimal Quantity, decimal UnitPrice)[] lines)
    {
        var originalLines = sale["lines"]!.AsArray();
        return new JsonObject
        {
            ["chainId"] = (string?)sale["chainId"], ["storeId"] = "SH-0001", ["terminalId"] = "POS-01", ["receiptNumber"] = number,
            ["issuedAt"] = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
            ["currency"] = "CNY", ["type"] = "return",
            ["originalReceipt"] = new JsonObject
            {
                ["storeId"] = "SH-0001", ["terminalId"] = "POS-01", ["receiptNumber"] = (string?)sale["receiptNumber"], ["issuedAt"] = (string?)sale["issuedAt"],
            },
            ["lines"] = new JsonArray([.. lines.Select(line =>
            {
                var json = Line(line.Line, (string)originalLines[line.OriginalLine - 1]!["gtin"]!, line.Quantity, line.UnitPrice);
                json["originalLineNumber"] = line.OriginalLine;
                return (JsonNode)json;
            })]),
            ["total"] = lines.Sum(line => line.Quantity * line.UnitPrice),
        };
    }

    /// <summary>A GTIN on both sample lists, valid and in its window on the given day.</summary>
    private static string GreenAndLowVocGtin(DateTimeOffset issuedAt)
    {
        var independent = new IndependentPoints();
        var probe = new JsonObject
        {
            ["issuedAt"] = issuedAt.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        };
        foreach (var line in File.ReadLines(Path.Combine(RepositoryPaths.SampleData, "low-voc.csv")).Skip(1))
        {
            var gtin = line.Split(',')[0];
            probe["lines"] = new JsonArray(Line(1, gtin, 1, 100m));
            var scored = independent.Score(probe).Single();
            if (scored.Green && scored.LowVoc)
            {
                return gtin;
            }
        }

        throw new InvalidOperationException("The sample lists have no product on both lists valid today.");
    }
}
