using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using PosGreenPoints.Contracts.Activities;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Contracts.Redemptions;

namespace PosGreenPoints.Tests.EndToEnd.Redemption;

/// <summary>What a till, the consumer app and an operator send to redeem points (redemption.md), over HTTP.</summary>
public static class RedemptionCalls
{
    /// <summary>Requests as a careful client writes them: fields it does not use are left out, not sent as null.</summary>
    private static readonly JsonSerializerOptions Wire = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>A goodwill credit by the operator: a lot issued by <paramref name="chainId"/>, available at once (activities.md).</summary>
    public static async Task CreditAsync(this HttpClient operatorClient, string memberId, string chainId, long points)
    {
        using var response = await operatorClient.PostAsJsonAsync(
            $"api/v1/admin/members/{memberId}/adjustments", new AdjustmentRequest("CREDIT-" + Guid.NewGuid().ToString("N")[..12], chainId, points, "e2e credit"));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"crediting {points}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The consumer app asks for a member code to show as a QR code.</summary>
    public static async Task<MemberCodeIssued> IssueCodeAsync(this HttpClient appClient, string memberId)
    {
        using var response = await appClient.PostAsync($"api/v1/members/{memberId}/codes", null);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"issuing a code: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<MemberCodeIssued>())!;
    }

    public static RedemptionRequest Reservation(string chainId, string redemptionId, string memberCode, long points, bool commit = false, string purpose = RedemptionPurposes.Discount) =>
        new(chainId, "SH-0012", "POS-03", redemptionId, memberCode, null, points, purpose, commit ? true : null, null);

    public static Task<HttpResponseMessage> ReserveAsync(this HttpClient posClient, RedemptionRequest request) =>
        posClient.PostAsync("api/v1/redemptions", JsonContent.Create(request, options: Wire));

    public static Task<HttpResponseMessage> CommitAsync(this HttpClient posClient, string chainId, string redemptionId, CommitRequest? body = null) =>
        posClient.PostAsync($"api/v1/redemptions/{chainId}/{redemptionId}/commit", body is null ? null : JsonContent.Create(body, options: Wire));

    public static Task<HttpResponseMessage> CancelAsync(this HttpClient posClient, string chainId, string redemptionId) =>
        posClient.PostAsync($"api/v1/redemptions/{chainId}/{redemptionId}/cancel", null);

    public static Task<HttpResponseMessage> RefundAsync(this HttpClient posClient, string chainId, string redemptionId, string refundId, long points) =>
        posClient.PostAsync($"api/v1/redemptions/{chainId}/{redemptionId}/refunds", JsonContent.Create(new RefundRequest(refundId, points), options: Wire));

    /// <summary>The member's balance as <paramref name="client"/> reads it, with both equalities of wallet.md checked.</summary>
    public static async Task<MemberPointsView> PointsAsync(this HttpClient client, string memberId)
    {
        using var response = await client.GetAsync($"api/v1/members/{memberId}/points");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"reading {memberId}'s points: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var points = (await response.Content.ReadFromJsonAsync<MemberPointsView>())!;
        Assert.Equal(points.Earned - points.Reversed - points.Redeemed - points.Expired, points.Balance);
        Assert.Equal(points.Available + points.Pending + points.Reserved - points.Debt, points.Balance);
        Assert.True(points.Available >= 0, $"available {points.Available} is below 0");
        return points;
    }

    /// <summary>Every statement entry of the member, all pages.</summary>
    public static async Task<List<StatementEntryView>> StatementAsync(this HttpClient client, string memberId)
    {
        var entries = new List<StatementEntryView>();
        string? continuation = null;
        do
        {
            var url = $"api/v1/members/{memberId}/statement" + (continuation is null ? "" : $"?continuation={Uri.EscapeDataString(continuation)}");
            var page = (await client.GetFromJsonAsync<StatementView>(url))!;
            entries.AddRange(page.Entries);
            continuation = page.Continuation;
        }
        while (continuation is not null);

        return entries;
    }

    /// <summary>Asserts <paramref name="response"/> is the problem <paramref name="type"/> (its last path segment) with <paramref name="status"/>.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status, string type)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} {type}, got {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement.Clone();
        Assert.EndsWith("/" + type, problem.GetProperty("type").GetString(), StringComparison.Ordinal);
        return problem;
    }

    public static async Task<RedemptionView> AssertRedemptionAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<RedemptionView>())!;
    }

    public static string NewMemberId(string prefix) => prefix + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
}
