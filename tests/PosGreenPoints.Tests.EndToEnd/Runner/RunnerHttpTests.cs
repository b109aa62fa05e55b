using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Runner;

[Collection(SharedAzurite.Name)]
public sealed class RunnerHttpTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private LocalRunnerProcess _runner = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _runner = await RunnerTestApp.StartAsync(azurite);
        _client = _runner.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _runner.DisposeAsync();
    }

    [Fact]
    public async Task Route_template_under_the_host_route_prefix_reaches_the_function_with_its_route_value()
    {
        var answer = await _client.GetFromJsonAsync<JsonElement>("runner/echo/abc-123");

        Assert.Equal("abc-123", answer.GetProperty("id").GetString());
        Assert.Equal("GET", answer.GetProperty("method").GetString());
    }

    [Fact]
    public async Task The_real_request_body_reaches_the_function()
    {
        using var response = await _client.PostAsync("runner/echo/x", new StringContent("统一收银 body"));

        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("POST", answer.GetProperty("method").GetString());
        Assert.Equal("统一收银 body", answer.GetProperty("body").GetString());
    }

    [Fact]
    public async Task A_route_without_the_prefix_is_not_served()
    {
        using var response = await _client.GetAsync("api/echo/abc");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_method_the_function_does_not_declare_is_404_as_the_host_answers()
    {
        using var response = await _client.DeleteAsync("runner/echo/abc");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Route_constraints_are_honoured_and_route_values_converted()
    {
        var answer = await _client.GetFromJsonAsync<JsonElement>("runner/numbers/21");
        using var notANumber = await _client.GetAsync("runner/numbers/twenty-one");

        Assert.Equal(42, answer.GetProperty("doubled").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, notANumber.StatusCode);
    }

    [Fact]
    public async Task A_function_without_a_route_is_served_at_its_name()
    {
        var answer = await _client.GetFromJsonAsync<JsonElement>("runner/NoRoute");

        Assert.Equal("by name", answer.GetProperty("served").GetString());
    }

    [Fact]
    public async Task An_IResult_is_executed_with_its_status_and_headers()
    {
        using var response = await _client.PutAsync("runner/things/chair", content: null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("/runner/things/chair", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_function_that_throws_answers_500_without_the_exception()
    {
        using var response = await _client.GetAsync("runner/throws");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("secret detail", await response.Content.ReadAsStringAsync());
    }
}
