using PosGreenPoints.Tests.Fixtures;
using PosGreenPoints.VendorClient.Models;

namespace PosGreenPoints.Tests.EndToEnd.VendorClient;

/// <summary>redemption.md driven through the client Kiota generates from <c>contracts/openapi.json</c> only: the consumer app's backend and a till's vendor.</summary>
[Collection(FunctionAppTests.Name)]
public sealed class GeneratedClientRedemptionTests(FunctionAppFixture app)
{
    private const string ProblemBase = "https://posgreenpoints.cn/problems/";

    [Fact]
    public async Task The_app_issues_a_code_and_a_till_with_only_the_generated_client_reads_reserves_commits_refunds_and_cancels()
    {
        var chainId = SampleReceipts.NewChainId("kiotaredeem");
        var memberId = "M" + Guid.NewGuid().ToString("N")[..12];
        using var operatorApi = VendorApi.For(app, FunctionAppFixture.OperatorKey);
        var admin = operatorApi.Client.Api.V1.Admin;
        await admin.Chains[chainId].PutAsync(new ChainRegistration { Name = "兑换 " + chainId });
        await admin.Members[memberId].Adjustments.PostAsync(new AdjustmentRequest { AdjustmentId = "ADJ-R1", ChainId = chainId, Points = 800, Reason = "e2e credit" });
        var appKey = await admin.Clients.PostAsync(new CreateClientRequest { ClientId = "app-" + chainId, Role = CreateClientRequest_role.App, Chains = [] });
        var tillKey = await admin.Clients.PostAsync(new CreateClientRequest { ClientId = "till-" + chainId, Role = CreateClientRequest_role.Pos, Chains = [chainId] });
        using var consumerApp = VendorApi.For(app, appKey!.ApiKey!);
        using var till = VendorApi.For(app, tillKey!.ApiKey!);
        var v1 = till.Client.Api.V1;

        // The app's backend issues a code; the till reads the balance by it and reserves.
        var code = await consumerApp.Client.Api.V1.Members[memberId].Codes.PostAsync();
        var balance = await v1.Members.ByCode[code!.Code!].Points.GetAsync();
        Assert.Equal((memberId, 800L), (balance!.MemberId, balance.Available));
        RedemptionRequest Reservation(string redemptionId, string memberCode, long points) => new()
        {
            ChainId = chainId, StoreId = "SH-0012", TerminalId = "POS-03", RedemptionId = redemptionId, MemberCode = memberCode,
            Points = points, Purpose = RedemptionRequest_purpose.Discount,
        };

        var reserved = await v1.Redemptions.PostAsync(Reservation("K-1", code.Code!, 500));
        Assert.Equal((RedemptionView_status.Reserved, 500L, "5.00"), (reserved!.Status, reserved.Points, reserved.Value));

        // Commit with the sale that carried the discount, read it back with its sources, refund a part.
        var redemption = v1.Redemptions[chainId]["K-1"];
        var committed = await redemption.Commit.PostAsync(new CommitRequest
        {
            Receipt = new RedemptionReceipt { StoreId = "SH-0012", TerminalId = "POS-03", ReceiptNumber = "D-1", IssuedAt = DateTimeOffset.UtcNow.AddMinutes(-1) },
        });
        Assert.Equal(RedemptionView_status.Committed, committed!.Status);
        var read = await redemption.GetAsync();
        Assert.Equal((chainId, 500L), (read!.Sources!.Single().IssuerChainId, read.Sources!.Single().Points));
        var refund = await redemption.Refunds.PostAsync(new RefundRequest { RefundId = "KF-1", Points = 100 });
        Assert.Equal((100L, 100L), (refund!.Points, refund.Redemption!.Refunded));

        // A reservation larger than what is left is the problem the contract names, with what is available.
        var second = await consumerApp.Client.Api.V1.Members[memberId].Codes.PostAsync();
        var refused = await Assert.ThrowsAsync<ProblemDetails>(() => v1.Redemptions.PostAsync(Reservation("K-2", second!.Code!, 401)));
        Assert.Equal((409, ProblemBase + "insufficient-points"), (refused.ResponseStatusCode, refused.Type));
        var held = await v1.Redemptions.PostAsync(Reservation("K-2", second!.Code!, 400));
        var cancelled = await v1.Redemptions[chainId]["K-2"].Cancel.PostAsync();
        Assert.Equal((RedemptionView_status.Reserved, RedemptionView_status.Cancelled), (held!.Status, cancelled!.Status));

        var end = await v1.Members[memberId].Points.GetAsync();
        Assert.Equal((400L, 0L, 400L), (end!.Available, end.Reserved, end.Redeemed));
    }
}
