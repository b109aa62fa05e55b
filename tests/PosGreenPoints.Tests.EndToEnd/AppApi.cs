using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd;

/// <summary>What tests do through the API as an operator or a vendor would: register chains, create keys, post receipts.</summary>
public static class AppApi
{
    public static async Task RegisterChainAsync(this FunctionAppFixture app, string chainId, string? timeZone = null)
    {
        using var client = app.Client();
        using var response = await client.PutAsJsonAsync($"api/v1/admin/chains/{chainId}", new ChainRegistration("Test chain " + chainId, timeZone));
        Assert.True(response.IsSuccessStatusCode, $"registering {chainId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static async Task<string> CreateClientAsync(this FunctionAppFixture app, string role, params string[] chains)
    {
        using var client = app.Client();
        var clientId = $"{role}-{Guid.NewGuid():N}";
        using var response = await client.PostAsJsonAsync("api/v1/admin/clients", new CreateClientRequest(clientId, role, chains));
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
}
