using System.Net;
using System.Text.Json.Nodes;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Contracts;

[Collection(FunctionAppTests.Name)]
public sealed class OpenApiTests(FunctionAppFixture app)
{
    [Fact]
    public async Task The_committed_openapi_document_is_served_without_a_key()
    {
        using var client = app.Client(apiKey: null);

        using var response = await client.GetAsync("api/openapi.json");
        var body = await response.Content.ReadAsStringAsync();
        var document = JsonNode.Parse(body);

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromHours(1), response.Headers.CacheControl?.MaxAge);
        Assert.Equal("3.1.0", (string?)document?["openapi"]);
        Assert.Equal("PostReceipt", (string?)document?["paths"]?["/api/v1/receipts"]?["post"]?["operationId"]);
        Assert.Equal(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "contracts", "openapi.json")), body);
    }
}
