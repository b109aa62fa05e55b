using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Tests.EndToEnd.Scoring;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Wallet;

/// <summary>
/// The wallet over HTTP through the runner (wallet.md): a member's balance, statement and lots after a
/// day of sales and returns at two chains, against a calculation made here from the spec; and who may
/// read a member, row by row.
/// </summary>
[Collection(FunctionAppTests.Name)]
public sealed class WalletApiTests(FunctionAppFixture app)
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public async Task A_members_balance_statement_and_lots_after_a_day_of_sales_and_returns_equal_an_independent_calculation()
    {
        var day = await PostDayAsync();
        using var client = app.Client();

        // wallet.md by hand: a lot per sale with points, issued by its chain, pending 7 days; a return takes
        // from its sale's lot first, then from other lots oldest expiry first, the rest is debt.
        var lots = new List<(string LotId, string Chain, long Points, long Remaining)>();
        long earned = 0, reversed = 0, debt = 0;
        foreach (var receipt in day.Scored.OrderBy(receipt => receipt.ScoredAt))
        {
            if (receipt.Type == "sale" && receipt.Points > 0)
            {
                earned += receipt.Points!.Value;
                lots.Add((receipt.ReceiptId, receipt.ChainId, receipt.Points.Value, receipt.Points.Value));
            }
            else if (receipt.Type == "return" && receipt.Points < 0)
            {
                var missing = -receipt.Points!.Value;
                reversed += missing;
                var order = lots.Select((lot, index) => (lot, index)).OrderBy(pair => pair.lot.LotId == day.SaleOf[receipt.ReceiptId] ? 0 : 1).Select(pair => pair.index).ToList();
                foreach (var index in order)
                {
                    var take = Math.Min(missing, lots[index].Remaining);
                    lots[index] = lots[index] with { Remaining = lots[index].Remaining - take };
                    missing -= take;
                }

                debt += missing;
            }
        }

        var balance = (await client.GetFromJsonAsync<MemberPointsView>($"api/v1/members/{day.MemberId}/points"))!;
        Assert.Equal((earned, reversed, 0L, 0L, debt), (balance.Earned, balance.Reversed, balance.Redeemed, balance.Expired, balance.Debt));
        Assert.Equal(earned - reversed, balance.Balance);
        Assert.Equal((0L, lots.Sum(lot => lot.Remaining), 0L), (balance.Available, balance.Pending, balance.Reserved));

        var open = (await client.GetFromJsonAsync<LotsView>($"api/v1/members/{day.MemberId}/lots"))!.Lots;
        Assert.Equal(
            lots.Where(lot => lot.Remaining > 0).Select(lot => (lot.LotId, lot.Chain, lot.Points, lot.Remaining)).OrderBy(lot => lot.LotId, StringComparer.Ordinal),
            open.Select(lot => (lot.LotId!, lot.IssuerChainId, lot.Points, lot.Remaining)).OrderBy(lot => lot.Item1, StringComparer.Ordinal));
        foreach (var lot in open)
        {
            Assert.Equal("pending", lot.Status);
            Assert.Equal(lot.EarnedAt.AddDays(7), lot.AvailableAt);
            var earnedLocal = TimeZoneInfo.ConvertTime(lot.EarnedAt, Shanghai);
            var expiry = new DateTime(earnedLocal.Year, earnedLocal.Month, 1, 0, 0, 0, DateTimeKind.Unspecified).AddMonths(25);
            Assert.Equal(new DateTimeOffset(expiry, TimeSpan.FromHours(8)), lot.ExpiresAt);
        }

        Assert.Equal(open.Min(lot => lot.ExpiresAt), balance.NextExpiry!.ExpiresAt);

        var statement = await StatementAsync(client, day.MemberId);
        var expected = day.Scored.Where(receipt => receipt.Points != 0)
            .Select(receipt => (receipt.Type == "sale" ? StatementKinds.Award : StatementKinds.Reversal, receipt.Points!.Value, receipt.ChainId, receipt.ReceiptId))
            .OrderBy(entry => entry.ReceiptId, StringComparer.Ordinal);
        Assert.Equal(expected, statement.Select(entry => (entry.Kind, entry.Points, entry.ChainId, entry.Reference!)).OrderBy(entry => entry.Item4, StringComparer.Ordinal));
        Assert.Equal(balance.Balance, statement.Sum(entry => entry.Points));
        Assert.Equal(statement.OrderByDescending(entry => entry.PostedAt).Select(entry => entry.PostedAt), statement.Select(entry => entry.PostedAt));

        // A range in the past holds none of today's entries; a bad continuation is a 400.
        var past = (await client.GetFromJsonAsync<StatementView>($"api/v1/members/{day.MemberId}/statement?from=2020-01-01&to=2020-01-31"))!;
        Assert.Empty(past.Entries);
        using var badToken = await client.GetAsync($"api/v1/members/{day.MemberId}/statement?continuation=not-a-token");
        Assert.Equal(HttpStatusCode.BadRequest, badToken.StatusCode);
        using var badDate = await client.GetAsync($"api/v1/members/{day.MemberId}/statement?from=2026-13-01");
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
    }

    [Fact]
    public async Task Who_may_read_a_member_follows_the_scoping_table_row_by_row()
    {
        var day = await PostDayAsync();
        using var operatorClient = app.Client();
        var loner = "L" + Guid.NewGuid().ToString("N")[..12];
        var lonerSale = Sale(day.ChainB, "LONER-1", loner, 1, 10.00m, day.Gtin);
        await operatorClient.WaitForScoredAsync([await PostAsync(operatorClient, lonerSale)]);

        var keys = new Dictionary<string, string>
        {
            ["pos of chain A"] = await app.CreateClientAsync("pos", day.ChainA),
            ["chain of chain A"] = await app.CreateClientAsync("chain", day.ChainA),
            ["app"] = await app.CreateClientAsync("app"),
            ["operator"] = FunctionAppFixture.OperatorKey,
        };
        var unknown = "U" + Guid.NewGuid().ToString("N")[..12];

        foreach (var (who, key) in keys)
        {
            using var client = app.Client(key);
            var seesAll = who is "app" or "operator";

            // A member with a posting at one of the caller's chains (or any member, for app and operator).
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"api/v1/members/{day.MemberId}/points")).StatusCode);
            var statement = await StatementAsync(client, day.MemberId);
            Assert.Contains(statement, entry => entry.ChainId == day.ChainB);
            foreach (var entry in statement)
            {
                var full = seesAll || entry.ChainId == day.ChainA;
                Assert.True(full == (entry.Reference is not null), $"{who}: entry of {entry.ChainId} reference {entry.Reference}");
                Assert.True(full || (entry.LotId is null && entry.Note is null), $"{who}: another chain's entry shows more than kind, points, date and chain");
            }

            var lots = (await client.GetFromJsonAsync<LotsView>($"api/v1/members/{day.MemberId}/lots"))!.Lots;
            Assert.All(lots, lot => Assert.Equal(seesAll || lot.IssuerChainId == day.ChainA, lot.LotId is not null));

            // A member with postings only at another chain: for pos and chain keys the same 404 as an unknown member.
            foreach (var read in new[] { "points", "statement", "lots" })
            {
                using var lonerAnswer = await client.GetAsync($"api/v1/members/{loner}/{read}");
                using var unknownAnswer = await client.GetAsync($"api/v1/members/{unknown}/{read}");
                Assert.Equal(HttpStatusCode.NotFound, unknownAnswer.StatusCode);
                if (seesAll)
                {
                    Assert.Equal(HttpStatusCode.OK, lonerAnswer.StatusCode);
                }
                else
                {
                    Assert.Equal(HttpStatusCode.NotFound, lonerAnswer.StatusCode);
                    Assert.Equal(await unknownAnswer.Content.ReadAsStringAsync(), await lonerAnswer.Content.ReadAsStringAsync());
                }
            }
        }

        // app reads members but posts nothing.
        using var appClient = app.Client(keys["app"]);
        using var appPost = await appClient.PostAsync("api/v1/receipts", AppApi.Json(Sale(day.ChainA, "APP-1", day.MemberId, 1, 10.00m, day.Gtin)));
        Assert.Equal(HttpStatusCode.Forbidden, appPost.StatusCode);
    }

    private sealed record Day(string ChainA, string ChainB, string MemberId, string Gtin, IReadOnlyList<ReceiptStatusView> Scored, IReadOnlyDictionary<string, string> SaleOf);

    /// <summary>One member's day: two sales at chain A, one at chain B, a full return at A and a partial one at B.</summary>
    private async Task<Day> PostDayAsync()
    {
        var chainA = SampleReceipts.NewChainId("walleta");
        var chainB = SampleReceipts.NewChainId("walletb");
        await app.RegisterChainAsync(chainA);
        await app.RegisterChainAsync(chainB);
        await app.PublishSampleListsAsync();
        using var client = app.Client();
        var memberId = "W" + Guid.NewGuid().ToString("N")[..12];
        var gtin = GreenAndLowVocGtin();

        var first = Sale(chainA, "DAY-1", memberId, 1, 100.00m, gtin);
        var second = Sale(chainB, "DAY-2", memberId, 2, 100.00m, gtin);
        var third = Sale(chainA, "DAY-3", memberId, 1, 40.00m, gtin);
        var sales = new List<string>();
        foreach (var sale in new[] { first, second, third })
        {
            sales.Add(await PostAsync(client, sale));
        }

        await client.WaitForScoredAsync(sales);
        var returns = new Dictionary<string, string>
        {
            [await PostAsync(client, Return(first, "DAY-R1", 1, 100.00m))] = sales[0],
            [await PostAsync(client, Return(second, "DAY-R2", 1, 100.00m))] = sales[1],
        };
        var scored = await client.WaitForScoredAsync([.. sales, .. returns.Keys]);
        return new Day(chainA, chainB, memberId, gtin, scored, returns);
    }

    private static async Task<List<StatementEntryView>> StatementAsync(HttpClient client, string memberId)
    {
        var entries = new List<StatementEntryView>();
        string? continuation = null;
        do
        {
            var url = $"api/v1/members/{memberId}/statement" + (continuation is null ? "" : $"?continuation={Uri.EscapeDataString(continuation)}");
            using var response = await client.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var page = (await response.Content.ReadFromJsonAsync<StatementView>())!;
            entries.AddRange(page.Entries);
            continuation = page.Continuation;
        }
        while (continuation is not null);

        return entries;
    }

    private static async Task<string> PostAsync(HttpClient client, JsonObject receipt)
    {
        using var response = await client.PostAsync("api/v1/receipts", AppApi.Json(receipt));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ReceiptAccepted>())!.ReceiptId;
    }

    private static string Issued(DateTimeOffset instant) => instant.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    private static JsonObject Sale(string chainId, string number, string memberId, decimal quantity, decimal unitPrice, string gtin) => new()
    {
        ["chainId"] = chainId, ["storeId"] = "SH-0001", ["terminalId"] = "POS-01", ["receiptNumber"] = number,
        ["issuedAt"] = Issued(DateTimeOffset.UtcNow.AddMinutes(-10)), ["currency"] = "CNY", ["type"] = "sale", ["memberId"] = memberId,
        ["lines"] = new JsonArray(new JsonObject
        {
            ["lineNumber"] = 1, ["gtin"] = gtin, ["quantity"] = quantity, ["unitPrice"] = unitPrice, ["discount"] = 0m, ["amount"] = quantity * unitPrice,
        }),
        ["total"] = quantity * unitPrice,
    };

    private static JsonObject Return(JsonObject sale, string number, decimal quantity, decimal unitPrice) => new()
    {
        ["chainId"] = (string?)sale["chainId"], ["storeId"] = "SH-0001", ["terminalId"] = "POS-01", ["receiptNumber"] = number,
        ["issuedAt"] = Issued(DateTimeOffset.UtcNow.AddMinutes(-1)), ["currency"] = "CNY", ["type"] = "return",
        ["originalReceipt"] = new JsonObject
        {
            ["storeId"] = "SH-0001", ["terminalId"] = "POS-01", ["receiptNumber"] = (string?)sale["receiptNumber"], ["issuedAt"] = (string?)sale["issuedAt"],
        },
        ["lines"] = new JsonArray(new JsonObject
        {
            ["lineNumber"] = 1, ["gtin"] = (string?)sale["lines"]![0]!["gtin"], ["quantity"] = quantity, ["unitPrice"] = unitPrice, ["discount"] = 0m,
            ["amount"] = quantity * unitPrice, ["originalLineNumber"] = 1,
        }),
        ["total"] = quantity * unitPrice,
    };

    /// <summary>A GTIN on both sample lists and valid now (its points are 1.5 a yuan).</summary>
    private static string GreenAndLowVocGtin()
    {
        var independent = new IndependentPoints();
        foreach (var line in File.ReadLines(Path.Combine(RepositoryPaths.SampleData, "low-voc.csv")).Skip(1))
        {
            var gtin = line.Split(',')[0];
            var probe = new JsonObject
            {
                ["issuedAt"] = Issued(DateTimeOffset.UtcNow.AddMinutes(-10)),
                ["lines"] = new JsonArray(new JsonObject { ["lineNumber"] = 1, ["gtin"] = gtin, ["amount"] = 100m }),
            };
            var scored = independent.Score(probe).Single();
            if (scored.Green && scored.LowVoc)
            {
                return gtin;
            }
        }

        throw new InvalidOperationException("The sample lists have no product on both lists valid today.");
    }
}
