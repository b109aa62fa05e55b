using System.Text;
using Microsoft.Kiota.Abstractions;
using PosGreenPoints.Tests.Fixtures;
using PosGreenPoints.VendorClient.Models;

namespace PosGreenPoints.Tests.EndToEnd.VendorClient;

/// <summary>
/// The app driven over HTTP through the runner by the client Kiota generates from <c>contracts/openapi.json</c>,
/// and by nothing else: if the document misdescribes a route, a body, a content type or an error, these
/// calls fail as a vendor's would. The app is one of its own, because the test publishes product lists of
/// its own, whose points are known by hand: the lists are global, and the other tests score against the samples.
/// </summary>
public sealed class GeneratedClientTests(FunctionAppFixture app) : IClassFixture<FunctionAppFixture>
{
    private const string ProblemBase = "https://posgreenpoints.cn/problems/";

    // GTINs with valid check digits. Green is worth 1.0 point per yuan, low-VOC 0.5, and the two add up.
    private const string Green = "6901234000016";
    private const string GreenAndLowVoc = "6901234000023";
    private const string RevokedGreen = "6901234000030";
    private const string LowVocGtin12 = "690123400001";

    private static readonly TimeSpan ScoringPatience = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan ShanghaiOffset = TimeSpan.FromHours(8);

    [Fact]
    public async Task A_vendor_with_only_the_generated_client_posts_sales_a_batch_and_a_return_and_reads_the_points_back()
    {
        var chainId = SampleReceipts.NewChainId("kiota");
        var memberId = "M" + Guid.NewGuid().ToString("N")[..12];
        using var operatorApi = VendorApi.For(app, FunctionAppFixture.OperatorKey);
        var admin = operatorApi.Client.Api.V1.Admin;

        var chain = await admin.Chains[chainId].PutAsync(new ChainRegistration { Name = "Kiota chain " + chainId });
        var greenList = await PublishAsync(operatorApi, "certified-green", GreenCsv);
        var lowVocList = await PublishAsync(operatorApi, "low-voc", LowVocCsv);
        var created = await admin.Clients.PostAsync(new CreateClientRequest
        {
            ClientId = "tills-" + chainId,
            Role = CreateClientRequest_role.Pos,
            Chains = [chainId],
        });

        Assert.Equal(chainId, chain!.ChainId);
        Assert.Equal(CreatedClient_role.Pos, created!.Role);
        Assert.Equal([chainId], created.Chains!);
        Assert.StartsWith(created.ClientId + ".", created.ApiKey, StringComparison.Ordinal);

        using var till = VendorApi.For(app, created.ApiKey!);
        var receipts = till.Client.Api.V1.Receipts;
        var saleAt = Now().AddHours(-1);

        // One sale: 248 green, floor(99.99 × 1.5) = 149 on both lists, floor(99.00 × 0.5) = 49 low-VOC by
        // its GTIN-12, and nothing for a SKU-only line or a revoked certificate: 446.
        var sale = Receipt(chainId, "SH-0012", "POS-03", "S-1", saleAt, memberId, ReceiptSubmission_type.Sale,
            Line(1, Green, 2m, 129.00m, 10.00m),
            Line(2, GreenAndLowVoc, 1m, 99.99m),
            Line(3, LowVocGtin12, 3m, 33.33m, 0.99m),
            Line(4, gtin: null, 1m, 0.50m, sku: "BAG-01"),
            Line(5, RevokedGreen, 1m, 500.00m));
        var accepted = await receipts.PostAsync(sale);

        Assert.Equal(ReceiptAccepted_status.Accepted, accepted!.Status);
        Assert.Null(accepted.Duplicate);
        Assert.Equal("/api/v1/receipts/" + accepted.ReceiptId, accepted.StatusUrl);

        // A batch: two sales (12 and floor(15.00 × 0.5) = 7 points) and one whose total is wrong, refused on its own.
        var badTotal = Receipt(chainId, "SH-0012", "POS-02", "B-3", saleAt, memberId, ReceiptSubmission_type.Sale, Line(1, Green, 1m, 1.00m));
        badTotal.Total = 2.00m;
        var batch = await receipts.Batch.PostAsync(new BatchSubmission
        {
            Receipts =
            [
                Receipt(chainId, "SH-0012", "POS-02", "B-1", saleAt.AddMinutes(1), memberId, ReceiptSubmission_type.Sale, Line(1, Green, 1m, 12.34m)),
                Receipt(chainId, "SH-0012", "POS-02", "B-2", saleAt.AddMinutes(2), memberId, ReceiptSubmission_type.Sale, Line(1, LowVocGtin12, 1.5m, 10.00m)),
                badTotal,
            ],
        });

        var results = batch!.Results!.OrderBy(result => result.Index).ToList();
        Assert.Equal([0, 1, 2], results.Select(result => result.Index ?? -1));
        Assert.Equal(
            new BatchItemResult_status?[] { BatchItemResult_status.Accepted, BatchItemResult_status.Accepted, BatchItemResult_status.Rejected },
            results.Select(result => result.Status));
        Assert.Null(results[2].ReceiptId);
        Assert.Contains("total", results[2].Errors!.AdditionalData.Keys);

        var scoredSale = await WaitForScoredAsync(till, accepted.ReceiptId!);
        Assert.Equal(446, scoredSale.Points);
        Assert.Equal((ReceiptStatusView_type.Sale, chainId, memberId), (scoredSale.Type, scoredSale.ChainId, scoredSale.MemberId));
        Assert.Equal(new Date(saleAt.Year, saleAt.Month, saleAt.Day), scoredSale.BusinessDate);
        Assert.Empty(scoredSale.Notes!);
        Assert.Equal(
            [
                (1, "0" + Green, 248.00m, 248L, "certified-green:" + greenList.Version + ":GP202600000001"),
                (2, "0" + GreenAndLowVoc, 99.99m, 149L, "certified-green:" + greenList.Version + ":GP202600000002 low-voc:" + lowVocList.Version + ":"),
                (3, "00" + LowVocGtin12, 99.00m, 49L, "low-voc:" + lowVocList.Version + ":"),
            ],
            scoredSale.Lines!.OrderBy(line => line.LineNumber).Select(line => (
                line.LineNumber ?? 0,
                line.Gtin,
                line.QualifyingAmount ?? 0m,
                line.Points ?? 0L,
                string.Join(' ', line.Matches!.OrderBy(match => match.ListId, StringComparer.Ordinal).Select(match => $"{match.ListId}:{match.ListVersion}:{match.CertificateNumber}")))));

        // The same sale again is a duplicate of the scored original, not a second award.
        var repost = await receipts.PostAsync(sale);
        Assert.Equal((accepted.ReceiptId, ReceiptAccepted_status.Scored, true), (repost!.ReceiptId, repost.Status, repost.Duplicate));

        // A return of one of the two line-1 units and the whole line 2: floor(248 × 1/2) = 124 and 149 taken back.
        var saleReturn = Receipt(chainId, "SH-0012", "POS-03", "R-1", saleAt.AddMinutes(30), memberId, ReceiptSubmission_type.Return,
            Line(1, Green, 1m, 129.00m, 5.00m, originalLineNumber: 1),
            Line(2, GreenAndLowVoc, 1m, 99.99m, originalLineNumber: 2));
        saleReturn.OriginalReceipt = new OriginalReceiptReference
        {
            StoreId = sale.StoreId,
            TerminalId = sale.TerminalId,
            ReceiptNumber = sale.ReceiptNumber,
            IssuedAt = sale.IssuedAt,
        };
        var returned = await receipts.PostAsync(saleReturn);

        var scoredReturn = await WaitForScoredAsync(till, returned!.ReceiptId!);
        var scoredBatch = await Task.WhenAll(results.Take(2).Select(result => WaitForScoredAsync(till, result.ReceiptId!)));
        Assert.Equal((ReceiptStatusView_type.Return, -273L), (scoredReturn.Type, scoredReturn.Points));
        Assert.Equal([(1, -124L), (2, -149L)], scoredReturn.Lines!.OrderBy(line => line.LineNumber).Select(line => (line.LineNumber ?? 0, line.Points ?? 0L)));
        Assert.Equal([12L, 7L], scoredBatch.Select(receipt => receipt.Points ?? 0L));

        var balance = await till.Client.Api.V1.Members[memberId].Points.GetAsync();
        Assert.Equal((memberId, 446L + 12 + 7, 273L, 446L + 12 + 7 - 273), (balance!.MemberId, balance.Earned, balance.Reversed, balance.Balance));
        Assert.NotNull(balance.UpdatedAt);
    }

    [Fact]
    public async Task Refusals_reach_the_generated_client_as_the_documented_problem_details()
    {
        var chainId = SampleReceipts.NewChainId("kiota");
        using var operatorApi = VendorApi.For(app, FunctionAppFixture.OperatorKey);
        using var stranger = VendorApi.For(app, "unknown-client.not-a-key");
        var sale = Receipt(chainId, "SH-0001", "POS-01", "S-1", Now().AddMinutes(-5), memberId: null, ReceiptSubmission_type.Sale, Line(1, Green, 1m, 10.00m));

        var unregistered = await Assert.ThrowsAsync<ProblemDetails>(() => operatorApi.Client.Api.V1.Receipts.PostAsync(sale));
        var unauthenticated = await Assert.ThrowsAsync<ProblemDetails>(() => stranger.Client.Api.V1.Members["M1"].Points.GetAsync());
        sale.Lines![0].Amount = 9.99m;
        sale.Total = 9.99m;
        var invalid = await Assert.ThrowsAsync<ProblemDetails>(() => operatorApi.Client.Api.V1.Receipts.PostAsync(sale));

        Assert.Equal((422, 422, ProblemBase + "chain-not-registered"), (unregistered.ResponseStatusCode, unregistered.Status, unregistered.Type));
        Assert.Equal((401, ProblemBase + "unauthenticated"), (unauthenticated.ResponseStatusCode, unauthenticated.Type));
        Assert.Equal((400, ProblemBase + "validation"), (invalid.ResponseStatusCode, invalid.Type));
        Assert.Contains("lines[0].amount", invalid.Errors!.AdditionalData.Keys);
    }

    private static string GreenCsv => Csv(
        "gtin,certificate_number,product_name,brand,model,category,certified_company,valid_from,valid_to,status",
        $"{Green},GP202600000001,青禾实木复合地板,青禾,M-5181,人造板和木质地板,青禾家居有限公司,2020-01-01,2099-12-31,valid",
        $"{GreenAndLowVoc},GP202600000002,禾木水性漆,禾木,W-20,建筑涂料,禾木涂料有限公司,2020-01-01,2099-12-31,valid",
        $"{RevokedGreen},GP202600000003,旧款地板,青禾,M-1000,人造板和木质地板,青禾家居有限公司,2020-01-01,2099-12-31,revoked");

    private static string LowVocCsv => Csv(
        "gtin,product_name,category,standard,voc_content,voc_unit,valid_from,valid_to",
        $"{GreenAndLowVoc},禾木水性漆,建筑涂料,GB 18582-2020,12,g/L,2020-01-01,2099-12-31",
        $"{LowVocGtin12},森美胶粘剂,胶粘剂,GB 33372-2020,20,g/kg,2020-01-01,2099-12-31");

    private static string Csv(params string[] lines) => string.Join("\r\n", lines) + "\r\n";

    private static async Task<ProductListVersion> PublishAsync(VendorApi operatorApi, string listId, string csv)
    {
        using var body = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        var version = await operatorApi.Client.Api.V1.Admin.ProductLists[listId].PutAsync(body);
        Assert.Equal((listId, csv.Split("\r\n").Length - 2), (version!.ListId, version.RowCount));
        return version;
    }

    /// <summary>Now in the chains' default zone, to the second, as a till prints it.</summary>
    private static DateTimeOffset Now()
    {
        var now = DateTimeOffset.UtcNow.ToOffset(ShanghaiOffset);
        return new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), ShanghaiOffset);
    }

    private static ReceiptSubmission Receipt(
        string chainId, string storeId, string terminalId, string receiptNumber, DateTimeOffset issuedAt, string? memberId, ReceiptSubmission_type type, params ReceiptLineSubmission[] lines) =>
        new()
        {
            ChainId = chainId,
            StoreId = storeId,
            TerminalId = terminalId,
            ReceiptNumber = receiptNumber,
            IssuedAt = issuedAt,
            Currency = ReceiptSubmission_currency.CNY,
            Type = type,
            MemberId = memberId,
            Lines = [.. lines],
            Total = lines.Sum(line => line.Amount ?? 0m),
        };

    private static ReceiptLineSubmission Line(
        int lineNumber, string? gtin, decimal quantity, decimal unitPrice, decimal discount = 0m, string? sku = null, int? originalLineNumber = null) =>
        new()
        {
            LineNumber = lineNumber,
            Gtin = gtin,
            Sku = sku,
            Quantity = quantity,
            UnitPrice = unitPrice,
            Discount = discount,
            Amount = Math.Round(quantity * unitPrice, 2, MidpointRounding.AwayFromZero) - discount,
            OriginalLineNumber = originalLineNumber,
        };

    /// <summary>Polls the receipt through the generated client until it is scored (failing on a failed one or after two minutes).</summary>
    private static async Task<ReceiptStatusView> WaitForScoredAsync(VendorApi api, string receiptId)
    {
        var deadline = DateTimeOffset.UtcNow + ScoringPatience;
        while (true)
        {
            var status = await api.Client.Api.V1.Receipts[receiptId].GetAsync();
            Assert.NotEqual(ReceiptStatusView_status.Failed, status!.Status);
            if (status.Status == ReceiptStatusView_status.Scored)
            {
                return status;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"{receiptId} not scored within {ScoringPatience}");
            await Task.Delay(500);
        }
    }
}
