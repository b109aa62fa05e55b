using System.Net;
using System.Text.Json;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Contracts;

/// <summary>
/// The transport part of the API contract (api.md, first paragraph), over real HTTP: every error a
/// problem with its stable type, every answer <c>nosniff</c>, every authenticated answer <c>no-store</c>,
/// none naming the server software.
/// </summary>
[Collection(SharedAzurite.Name)]
public sealed class TransportContractTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Problems = "https://posgreenpoints.cn/problems/";

    private LocalRunnerProcess _runner = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>(FunctionAppFixture.Settings)
        {
            // 30 s by default, on the host as in the runner: 2 s keeps the timeout test short.
            ["Kestrel:Limits:RequestHeadersTimeout"] = "00:00:02",
        };
        _runner = await LocalRunnerProcess.StartAsync(RepositoryPaths.FunctionAppDirectory, azurite.ConnectionString, settings);
        _client = _runner.CreateClient();
        _client.DefaultRequestHeaders.Add("X-Api-Key", FunctionAppFixture.OperatorKey);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _runner.DisposeAsync();
    }

    [Theory]
    [InlineData("GET", "api/v1/no-such-thing")]
    [InlineData("POST", "api/v2/receipts")]
    [InlineData("GET", "api/")]
    public async Task An_unknown_route_is_a_404_problem(string method, string path)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await AssertProblemAsync(response, 404, "not-found");
    }

    [Theory]
    [InlineData("DELETE", "api/v1/receipts", "POST")]
    [InlineData("GET", "api/v1/admin/clients", "POST")]
    [InlineData("PUT", "api/v1/receipts/some-receipt", "GET")]
    [InlineData("POST", "api/health", "GET")]
    public async Task A_method_the_route_does_not_serve_is_a_405_problem_with_Allow(string method, string path, string allowed)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await AssertProblemAsync(response, 405, "method-not-allowed");
        Assert.Equal([allowed], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task An_oversize_header_section_is_a_431_problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/health");
        request.Headers.Add("X-Padding", new string('a', 40 * 1024));

        using var response = await _client.SendAsync(request);

        await AssertProblemAsync(response, 431, "header-fields-too-large");
    }

    [Fact]
    public async Task Headers_that_do_not_arrive_in_time_are_a_408_problem()
    {
        var (status, headers, body) = await RawAsync("GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");

        Assert.Equal(408, status);
        AssertRawProblem(headers, body, "request-timeout");
    }

    [Theory]
    [InlineData("/api/v1/receipts/a%00b")]
    [InlineData("/api/v1/receipts/a\0b")]
    [InlineData("/api/v1/receipts/a%01b")]
    [InlineData("/api/v1/nothing/a%1Fb")]
    public async Task A_NUL_or_another_invalid_character_in_the_path_is_a_400_problem(string path)
    {
        // HTTP/1.0, so that an answer the app writes comes unchunked, to the end of the connection.
        var (status, headers, body) = await RawAsync($"GET {path} HTTP/1.0\r\nHost: localhost\r\nX-Api-Key: {FunctionAppFixture.OperatorKey}\r\n\r\n");

        Assert.True(status == 400, $"{status} {body}");
        AssertRawProblem(headers, body, "malformed-request");
    }

    [Theory]
    [InlineData("api/health")]
    [InlineData("api/openapi.json")]
    [InlineData("api/v1/members/M0001/points")]
    [InlineData("api/v1/admin/product-lists")]
    [InlineData("api/v1/nothing-here")]
    public async Task Every_answer_carries_nosniff_and_names_no_server(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Empty(response.Headers.Server);
    }

    [Theory]
    [InlineData("api/v1/members/M0001/points", true)]
    [InlineData("api/v1/admin/product-lists", true)]
    [InlineData("api/v1/receipts/nothing~here", true)]
    [InlineData("api/v1/settlements/no-chain", true)]
    [InlineData("api/v1/members/M0001/points", false)]
    public async Task Every_authenticated_answer_is_no_store(string path, bool withKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var client = _runner.CreateClient();
        if (withKey)
        {
            request.Headers.Add("X-Api-Key", FunctionAppFixture.OperatorKey);
        }

        using var response = await client.SendAsync(request);

        Assert.True(response.Headers.CacheControl?.NoStore == true, $"{(int)response.StatusCode} {path}: Cache-Control {response.Headers.CacheControl}");
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{(int)response.StatusCode} {response.Content.Headers.ContentType} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(Problems + type, problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Empty(response.Headers.Server);
    }

    private static void AssertRawProblem(string headers, string body, string type)
    {
        Assert.Contains("\r\nContent-Type: application/problem+json", headers.Replace("; charset=utf-8", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\r\nX-Content-Type-Options: nosniff", headers, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\r\nServer:", headers, StringComparison.OrdinalIgnoreCase);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(Problems + type, problem.RootElement.GetProperty("type").GetString());
    }

    /// <summary>Sends what HttpClient would refuse to send, and reads the answer until the server closes the connection.</summary>
    private async Task<(int Status, string Headers, string Body)> RawAsync(string request)
    {
        var text = await RawHttp.SendAsync(_runner.BaseAddress, request);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"no answer: '{text}'");
        return (int.Parse(text[9..12], System.Globalization.CultureInfo.InvariantCulture), text[..end], text[(end + 4)..]);
    }
}
