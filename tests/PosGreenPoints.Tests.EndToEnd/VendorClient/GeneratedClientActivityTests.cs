using PosGreenPoints.Tests.Fixtures;
using PosGreenPoints.VendorClient.Models;

namespace PosGreenPoints.Tests.EndToEnd.VendorClient;

/// <summary>activities.md driven through the client Kiota generates from <c>contracts/openapi.json</c> only, as a service partner's vendor would.</summary>
[Collection(FunctionAppTests.Name)]
public sealed class GeneratedClientActivityTests(FunctionAppFixture app)
{
    [Fact]
    public async Task A_service_partner_with_only_the_generated_client_posts_activities_reads_them_and_an_operator_adjusts()
    {
        var chainId = SampleReceipts.NewChainId("kiotametro");
        var memberId = "M" + Guid.NewGuid().ToString("N")[..12];
        using var operatorApi = VendorApi.For(app, FunctionAppFixture.OperatorKey);
        var chain = await operatorApi.Client.Api.V1.Admin.Chains[chainId].PutAsync(new ChainRegistration { Name = "地铁 " + chainId, Kind = ChainRegistration_kind.Service });
        Assert.Equal(ChainView_kind.Service, chain!.Kind);
        var created = await operatorApi.Client.Api.V1.Admin.Clients.PostAsync(new CreateClientRequest { ClientId = "gates-" + chainId, Role = CreateClientRequest_role.Pos, Chains = [chainId] });
        using var gate = VendorApi.For(app, created!.ApiKey!);
        var activities = gate.Client.Api.V1.Activities;
        ActivitySubmission Activity(string id, string type, decimal quantity) => new()
        {
            ChainId = chainId, StoreId = "L2-NANJINGDONGLU", TerminalId = "GATE-07", ActivityId = id, Type = type,
            MemberId = memberId, Quantity = quantity, OccurredAt = DateTimeOffset.UtcNow.AddMinutes(-2).ToOffset(TimeSpan.FromHours(8)),
        };

        var accepted = await activities.PostAsync(Activity("T-1", "transit-trip", 1));
        var batch = await activities.Batch.PostAsync(new ActivityBatchSubmission { Activities = [Activity("B-1", "bike-share", 3.5m), Activity("B-2", "bike-share", 51)] });

        Assert.Equal(ActivityAccepted_status.Accepted, accepted!.Status);
        Assert.Equal("/api/v1/activities/" + accepted.Id, accepted.StatusUrl);
        Assert.Equal([ActivityBatchItemResult_status.Accepted, ActivityBatchItemResult_status.Rejected], batch!.Results!.Select(result => result.Status!.Value));
        ActivityStatusView? status = null;
        for (var attempt = 0; attempt < 300 && status?.Status != ActivityStatusView_status.Scored; attempt++)
        {
            await Task.Delay(100);
            status = await activities[accepted.Id].GetAsync();
        }

        Assert.Equal((10L, "transit-trip", memberId), (status!.Points, status.Type, status.MemberId));

        var adjusted = await operatorApi.Client.Api.V1.Admin.Members[memberId].Adjustments.PostAsync(new AdjustmentRequest { AdjustmentId = "ADJ-K1", ChainId = chainId, Points = -4, Reason = "更正" });
        Assert.Equal((-4L, "更正"), (adjusted!.Points, adjusted.Reason));
    }
}
