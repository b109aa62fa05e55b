using System.Net;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Runner;

/// <summary>
/// The runner's own answers, before or around any function: each error a problem (RFC 9457) with
/// <c>nosniff</c>, none naming the server, the body limit of the deployed path.
/// </summary>
[Collection(SharedAzurite.Name)]
public sealed class RunnerTransportTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private LocalRunnerProcess _runner = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        // Headers must arrive within 2 s here (30 s by default, as on the host), so that the timeout test is short.
        _runner = await RunnerTestApp.StartAsync(azurite, new Dictionary<string, string?> { ["Kestrel:Limits:RequestHeadersTimeout"] = "00:00:02" });
        _client = _runner.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _runner.DisposeAsync();
    }

    [Theory]
    [InlineData("GET", "runner/no-such-function", 404)]
    [InlineData("DELETE", "runner/echo/abc", 404)]
    [InlineData("GET", "elsewhere", 404)]
    [InlineData("GET", "runner/throws", 500)]
    public async Task The_runners_own_error_answers_are_problems(string method, string path, int status)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await AssertProblemAsync(response, status);
        Assert.DoesNotContain("secret detail", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_answer_names_the_server_software()
    {
        using var served = await _client.GetAsync("runner/NoRoute");
        using var missed = await _client.GetAsync("runner/nothing-here");

        Assert.Empty(served.Headers.Server);
        Assert.Empty(missed.Headers.Server);
    }

    [Fact]
    public async Task A_header_section_over_Kestrels_limit_is_a_431_problem()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "runner/NoRoute");
        request.Headers.Add("X-Padding", new string('a', 40 * 1024));

        using var response = await _client.SendAsync(request);

        await AssertProblemAsync(response, 431);
    }

    [Fact]
    public async Task Headers_that_do_not_arrive_in_time_are_a_408_problem()
    {
        var answer = await RawAsync("GET /runner/NoRoute HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");

        Assert.StartsWith("HTTP/1.1 408 ", answer, StringComparison.Ordinal);
        AssertRawProblem(answer);
    }

    [Theory]
    [InlineData("GET /runner/echo/a%00b HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    [InlineData("GET /runner/echo/a\0b HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    [InlineData("GET /runner/echo/a b HTTP/1.1\r\nHost: localhost\r\n\r\n")]
    public async Task A_path_with_a_NUL_or_another_invalid_character_is_a_400_problem(string request)
    {
        var answer = await RawAsync(request);

        Assert.StartsWith("HTTP/1.1 400 ", answer, StringComparison.Ordinal);
        AssertRawProblem(answer);
    }

    [Fact]
    public async Task A_body_over_the_worker_Kestrel_limit_of_30_000_000_bytes_is_a_413_problem_and_one_at_it_is_read()
    {
        // As a careful client sends a large body: it waits for the server to ask for it, and so hears a refusal
        // instead of a connection closed while it is still sending. HttpClient waits 1 s for that by default and
        // then sends anyway, which a loaded CI machine overran (broken pipe); a careful client waits longer.
        using var careful = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(60) })
        {
            BaseAddress = _runner.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
        };
        using var overRequest = new HttpRequestMessage(HttpMethod.Post, "runner/echo/big") { Content = new ByteArrayContent(new byte[30_000_001]) };
        overRequest.Headers.ExpectContinue = true;
        using var over = await careful.SendAsync(overRequest);
        using var at = await _client.PostAsync("runner/echo/big", new ByteArrayContent(new byte[30_000_000]));

        await AssertProblemAsync(over, 413);
        Assert.Equal(HttpStatusCode.OK, at.StatusCode);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"status\":{status}", body, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Empty(response.Headers.Server);
    }

    private static void AssertRawProblem(string answer)
    {
        var (head, body) = (answer[..answer.IndexOf("\r\n\r\n", StringComparison.Ordinal)], answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
        Assert.Contains("\r\nContent-Type: application/problem+json", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("\r\nX-Content-Type-Options: nosniff", head, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\r\nServer:", head, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("{", body, StringComparison.Ordinal);
        Assert.Contains("\"title\":", body, StringComparison.Ordinal);
    }

    private Task<string> RawAsync(string request) => RawHttp.SendAsync(_runner.BaseAddress, request);
}
