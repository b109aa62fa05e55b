using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd;

/// <summary>What tests do through the API as an operator or a vendor would: register chains, create keys, post receipts.</summary>
public static class AppApi
{
    public static async Task RegisterChainAsync(this FunctionAppFixture app, string chainId, string? timeZone = null)
    {
        using var client = app.Client();
        await client.RegisterChainAsync(chainId, timeZone);
    }

    /// <summary>Registers a chain through <paramref name="operatorClient"/>, for tests that run apps of their own.</summary>
    public static async Task RegisterChainAsync(this HttpClient operatorClient, string chainId, string? timeZone = null)
    {
        using var response = await operatorClient.PutAsJsonAsync($"api/v1/admin/chains/{chainId}", new ChainRegistration("Test chain " + chainId, timeZone));
        Assert.True(response.IsSuccessStatusCode, $"registering {chainId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static async Task<string> CreateClientAsync(this FunctionAppFixture app, string role, params string[] chains)
    {
        using var client = app.Client();
        return await client.CreateClientAsync(role, chains);
    }

    /// <summary>Creates an API client through <paramref name="operatorClient"/> and returns its key.</summary>
    public static async Task<string> CreateClientAsync(this HttpClient operatorClient, string role, params string[] chains)
    {
        var clientId = $"{role}-{Guid.NewGuid():N}";
        using var response = await operatorClient.PostAsJsonAsync("api/v1/admin/clients", new CreateClientRequest(clientId, role, chains));
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"creating {clientId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<CreatedClient>())!.ApiKey;
    }

    public static async Task RevokeClientAsync(this FunctionAppFixture app, string apiKey)
    {
        using var client = app.Client();
        using var response = await client.DeleteAsync($"api/v1/admin/clients/{apiKey[..apiKey.LastIndexOf('.')]}");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    public static StringContent Json(JsonNode node) => new(node.ToJsonString(), Encoding.UTF8, "application/json");

    public static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static readonly TimeSpan ScoringPatience = TimeSpan.FromSeconds(120);

    /// <summary>Publishes the sample product lists as the operator; publishing the same bytes again is fine.</summary>
    public static async Task PublishSampleListsAsync(this FunctionAppFixture app)
    {
        using var client = app.Client();
        await client.PublishSampleListsAsync();
    }

    /// <summary>Publishes the sample product lists through <paramref name="operatorClient"/>.</summary>
    public static async Task PublishSampleListsAsync(this HttpClient operatorClient)
    {
        foreach (var list in new[] { "certified-green", "low-voc" })
        {
            var csv = await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.SampleData, list + ".csv"));
            using var content = new ByteArrayContent(csv);
            content.Headers.ContentType = new("text/csv") { CharSet = "utf-8" };
            using var response = await operatorClient.PutAsync($"api/v1/admin/product-lists/{list}", content);
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"publishing {list}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }


    /// <summary>Polls the receipts until every one is scored (failing on a failed one or after two minutes).</summary>
    public static async Task<IReadOnlyList<ReceiptStatusView>> WaitForScoredAsync(this HttpClient client, IReadOnlyList<string> receiptIds)
    {
        var deadline = DateTimeOffset.UtcNow + ScoringPatience;
        var scored = new ReceiptStatusView?[receiptIds.Count];
        while (true)
        {
            for (var index = 0; index < receiptIds.Count; index++)
            {
                if (scored[index] is null)
                {
                    var status = await client.GetFromJsonAsync<ReceiptStatusView>($"api/v1/receipts/{Uri.EscapeDataString(receiptIds[index])}");
                    Assert.NotEqual("failed", status!.Status);
                    scored[index] = status.Status == "scored" ? status : null;
                }
            }

            if (scored.All(status => status is not null))
            {
                return scored!;
            }

            Assert.True(DateTimeOffset.UtcNow < deadline, $"{scored.Count(status => status is null)} of {receiptIds.Count} receipts not scored within {ScoringPatience}");
            await Task.Delay(500);
        }
    }

}
