using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Admin;

/// <summary>
/// One runner for the tests of <see cref="AdminApiTests"/>, started by the first of them against the
/// collection's Azurite (a class fixture cannot take the collection fixture) and stopped after the last.
/// </summary>
public sealed class AdminApiRunner : IAsyncLifetime
{
    public const string OperatorKey = "end-to-end-operator-key-0123456789abcdefghij";

    private readonly Lock _gate = new();
    private Task<LocalRunnerProcess>? _runner;

    public Task<LocalRunnerProcess> GetAsync(AzuriteFixture azurite)
    {
        lock (_gate)
        {
            return _runner ??= LocalRunnerProcess.StartAsync(
                RepositoryPaths.FunctionAppDirectory,
                azurite.ConnectionString,
                new Dictionary<string, string?>(FunctionAppFixture.Settings) { ["Auth:BootstrapOperatorKey"] = OperatorKey });
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // A runner that failed to start has already stopped itself.
        if (_runner is { IsCompletedSuccessfully: true })
        {
            await (await _runner).DisposeAsync();
        }
    }
}

[Collection(SharedAzurite.Name)]
public sealed class AdminApiTests(AzuriteFixture azurite, AdminApiRunner runner) : IClassFixture<AdminApiRunner>
{
    private const string ProblemJson = "application/problem+json";

    [Fact]
    public async Task An_operator_registers_a_chain_then_updates_it()
    {
        using var client = await OperatorClientAsync();
        var chainId = NewChainId();

        using var created = await client.PutAsJsonAsync($"api/v1/admin/chains/{chainId}", new { name = "华联超市" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/v1/admin/chains/{chainId}", created.Headers.Location?.OriginalString);
        Assert.Equal(new ChainView(chainId, "华联超市", "Asia/Shanghai", "retail"), await created.Content.ReadFromJsonAsync<ChainView>());

        using var updated = await client.PutAsJsonAsync($"api/v1/admin/chains/{chainId}", new ChainRegistration("华联", "Asia/Urumqi"));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal(new ChainView(chainId, "华联", "Asia/Urumqi", "retail"), await updated.Content.ReadFromJsonAsync<ChainView>());
    }

    [Fact]
    public async Task A_pos_key_works_until_it_is_revoked_and_never_opens_the_admin_routes()
    {
        using var operatorClient = await OperatorClientAsync();
        var chainId = await RegisterChainAsync(operatorClient);
        var clientId = NewClientId();

        using var creation = await operatorClient.PostAsJsonAsync("api/v1/admin/clients", new CreateClientRequest(clientId, "pos", [chainId]));
        Assert.Equal(HttpStatusCode.Created, creation.StatusCode);
        Assert.True(creation.Headers.CacheControl?.NoStore);
        var created = await creation.Content.ReadFromJsonAsync<CreatedClient>();
        Assert.Equal(clientId, created!.ClientId);
        Assert.Equal("pos", created.Role);
        Assert.Equal([chainId], created.Chains);
        Assert.StartsWith(clientId + ".", created.ApiKey, StringComparison.Ordinal);

        using var posClient = await ClientAsync(created.ApiKey);
        using var forbidden = await posClient.PutAsJsonAsync($"api/v1/admin/chains/{chainId}", new ChainRegistration("Taken over"));
        await AssertProblemAsync(forbidden, HttpStatusCode.Forbidden, "forbidden");

        using var revoked = await operatorClient.DeleteAsync($"api/v1/admin/clients/{clientId}");
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        using var revokedAgain = await operatorClient.DeleteAsync($"api/v1/admin/clients/{clientId}");
        Assert.Equal(HttpStatusCode.NoContent, revokedAgain.StatusCode);

        using var afterRevocation = await posClient.PutAsJsonAsync($"api/v1/admin/chains/{chainId}", new ChainRegistration("Taken over"));
        await AssertProblemAsync(afterRevocation, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task A_revoked_operator_key_stops_working_at_once()
    {
        using var operatorClient = await OperatorClientAsync();
        var clientId = NewClientId();
        using var creation = await operatorClient.PostAsJsonAsync("api/v1/admin/clients", new { clientId, role = "operator" });
        var created = await creation.Content.ReadFromJsonAsync<CreatedClient>();
        using var secondOperator = await ClientAsync(created!.ApiKey);
        using var beforeRevocation = await secondOperator.PutAsJsonAsync($"api/v1/admin/chains/{NewChainId()}", new ChainRegistration("Chain"));
        Assert.Equal(HttpStatusCode.Created, beforeRevocation.StatusCode);

        using var revoked = await operatorClient.DeleteAsync($"api/v1/admin/clients/{clientId}");
        using var afterRevocation = await secondOperator.PutAsJsonAsync($"api/v1/admin/chains/{NewChainId()}", new ChainRegistration("Chain"));

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await AssertProblemAsync(afterRevocation, HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong-key")]
    [InlineData("end-to-end-operator-key-0123456789abcdefghiJ")]
    [InlineData("nobody.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task A_missing_or_wrong_key_is_401(string? key)
    {
        using var client = await ClientAsync(key);

        using var response = await client.PostAsJsonAsync("api/v1/admin/clients", new CreateClientRequest(NewClientId(), "operator"));

        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Contains("X-Api-Key", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad%20id!")]
    [InlineData("cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc")]
    public async Task A_bad_chain_id_in_the_path_is_400(string chainId)
    {
        using var client = await OperatorClientAsync();

        using var response = await client.PutAsJsonAsync($"api/v1/admin/chains/{chainId}", new ChainRegistration("Chain"));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("chainId", out _));
    }

    [Theory]
    [InlineData("{\"name\": ")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("{\"name\": 42}")]
    public async Task A_body_that_is_not_the_expected_JSON_is_400(string body)
    {
        using var client = await OperatorClientAsync();

        using var response = await client.PutAsync($"api/v1/admin/chains/{NewChainId()}", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed-request");
    }

    [Fact]
    public async Task A_body_that_is_not_UTF8_is_400()
    {
        using var client = await OperatorClientAsync();
        using var content = new ByteArrayContent([.. "{\"name\": \""u8, 0xFF, 0xFE, .. "\"}"u8]);
        content.Headers.ContentType = new("application/json");

        using var response = await client.PutAsync($"api/v1/admin/chains/{NewChainId()}", content);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed-request");
    }

    [Fact]
    public async Task An_unknown_time_zone_is_400_at_timeZone()
    {
        using var client = await OperatorClientAsync();

        using var response = await client.PutAsJsonAsync($"api/v1/admin/chains/{NewChainId()}", new ChainRegistration("Chain", "Asia/Atlantis"));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("timeZone", out _));
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_413_whether_its_length_is_announced_or_not()
    {
        using var client = await OperatorClientAsync();
        var body = Encoding.UTF8.GetBytes($"{{\"name\": \"{new string('n', 64 * 1024)}\"}}");

        using var announced = await client.PutAsync($"api/v1/admin/chains/{NewChainId()}", new ByteArrayContent(body));
        await AssertProblemAsync(announced, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");

        // A stream of unknown length goes chunked: the limit must hold while reading.
        using var chunked = new StreamContent(new UnknownLengthStream(body));
        using var streamed = await client.PutAsync($"api/v1/admin/chains/{NewChainId()}", chunked);
        await AssertProblemAsync(streamed, HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Fact]
    public async Task A_client_with_an_unregistered_chain_is_422_at_its_index()
    {
        using var client = await OperatorClientAsync();
        var registered = await RegisterChainAsync(client);

        using var response = await client.PostAsJsonAsync("api/v1/admin/clients", new CreateClientRequest(NewClientId(), "chain", [registered, NewChainId()]));

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnprocessableEntity, "chain-not-registered");
        Assert.True(problem.GetProperty("errors").TryGetProperty("chains[1]", out _));
    }

    [Fact]
    public async Task An_invalid_client_names_each_field_by_its_JSON_path()
    {
        using var client = await OperatorClientAsync();

        using var response = await client.PostAsJsonAsync("api/v1/admin/clients", new { clientId = "has.dot", role = "admin", chains = new List<string> { "ok", "bad id!" } });

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        var errors = problem.GetProperty("errors").EnumerateObject().Select(error => error.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["chains[1]", "clientId", "role"], errors);
    }

    [Fact]
    public async Task A_taken_client_id_is_409_and_an_unknown_one_cannot_be_revoked()
    {
        using var client = await OperatorClientAsync();
        var request = new CreateClientRequest(NewClientId(), "operator", []);
        using var first = await client.PostAsJsonAsync("api/v1/admin/clients", request);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);

        using var second = await client.PostAsJsonAsync("api/v1/admin/clients", request);
        await AssertProblemAsync(second, HttpStatusCode.Conflict, "conflict");

        using var unknown = await client.DeleteAsync($"api/v1/admin/clients/{NewClientId()}");
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "not-found");

        using var malformed = await client.DeleteAsync("api/v1/admin/clients/has.dot");
        await AssertProblemAsync(malformed, HttpStatusCode.BadRequest, "validation");
    }

    [Fact]
    public async Task A_chain_that_has_posted_keeps_its_time_zone_so_a_repost_stays_a_duplicate()
    {
        using var client = await OperatorClientAsync();
        var chainId = NewChainId();
        using var registered = await client.PutAsJsonAsync($"api/v1/admin/chains/{chainId}", new ChainRegistration("东京店", "Asia/Tokyo"));
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);

        // 00:30 in Tokyo is the day before in Shanghai: another zone would give the same receipt another id.
        var tokyo = TimeSpan.FromHours(9);
        var yesterday = DateTimeOffset.UtcNow.ToOffset(tokyo).Date.AddDays(-1);
        var receipt = SampleReceipts.Receipt(0, chainId, new DateTimeOffset(yesterday.AddMinutes(30), tokyo)).ToJsonString();
        using var posted = await client.PostAsync("api/v1/receipts", AppApi.Json(receipt));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);

        using var moved = await client.PutAsJsonAsync($"api/v1/admin/chains/{chainId}", new ChainRegistration("东京店", "Asia/Shanghai"));
        using var renamed = await client.PutAsJsonAsync($"api/v1/admin/chains/{chainId}", new ChainRegistration("东京一号店", "Asia/Tokyo"));
        using var reposted = await client.PostAsync("api/v1/receipts", AppApi.Json(receipt));

        await AssertProblemAsync(moved, HttpStatusCode.Conflict, "chain-time-zone-locked");
        Assert.Equal(new ChainView(chainId, "东京一号店", "Asia/Tokyo", "retail"), await renamed.Content.ReadFromJsonAsync<ChainView>());
        Assert.Equal(HttpStatusCode.OK, reposted.StatusCode);
        Assert.Equal(
            (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("receiptId").GetString(),
            (await reposted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("receiptId").GetString());
    }

    [Theory]
    [InlineData("Factory")]
    [InlineData("posixrules")]
    [InlineData("right/UTC")]
    [InlineData("posix/Asia/Shanghai")]
    [InlineData("EST")]
    [InlineData("Asia/Calcutta")]
    [InlineData("PRC")]
    public async Task A_time_zone_id_that_is_not_canonical_IANA_is_400_at_timeZone(string timeZone)
    {
        using var client = await OperatorClientAsync();

        using var response = await client.PutAsJsonAsync($"api/v1/admin/chains/{NewChainId()}", new ChainRegistration("Chain", timeZone));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation");
        Assert.True(problem.GetProperty("errors").TryGetProperty("timeZone", out _));
    }

    [Fact]
    public async Task Admin_bodies_bind_property_names_case_sensitively()
    {
        using var client = await OperatorClientAsync();
        var chainId = await RegisterChainAsync(client);
        var otherChain = await RegisterChainAsync(client);
        var clientId = NewClientId();
        var body = $$"""{"clientId":"{{clientId}}","role":"pos","Role":"operator","chains":["{{chainId}}"],"CHAINS":["{{otherChain}}"]}""";

        using var response = await client.PostAsync("api/v1/admin/clients", new StringContent(body, Encoding.UTF8, "application/json"));
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("pos", created.GetProperty("role").GetString());
        Assert.Equal([chainId], created.GetProperty("chains").EnumerateArray().Select(chain => chain.GetString()!));
    }

    [Theory]
    [InlineData("""{"clientId":"dup-role","role":"pos","role":"operator","chains":[]}""", "api/v1/admin/clients", "post")]
    [InlineData("""{"name":"a","name":"b"}""", "api/v1/admin/chains/{chain}", "put")]
    [InlineData("""{"name":"a","timeZone":"Asia/Tokyo","timeZone":"Asia/Shanghai"}""", "api/v1/admin/chains/{chain}", "put")]
    public async Task An_admin_body_with_a_repeated_property_is_malformed_and_changes_nothing(string body, string route, string method)
    {
        using var client = await OperatorClientAsync();
        var chainId = NewChainId();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = method == "post"
            ? await client.PostAsync(route, content)
            : await client.PutAsync(route.Replace("{chain}", chainId, StringComparison.Ordinal), content);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "malformed-request");
        using var created = await client.PutAsJsonAsync($"api/v1/admin/chains/{chainId}", new ChainRegistration("Chain"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    [Theory]
    [InlineData("utf-16")]
    [InlineData("latin1")]
    [InlineData("iso-8859-1")]
    public async Task A_JSON_body_declared_in_a_charset_other_than_UTF8_is_415(string charset)
    {
        using var client = await OperatorClientAsync();
        using var content = new ByteArrayContent("{\"name\":\"Chain\"}"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", $"application/json; charset={charset}");

        using var response = await client.PutAsync($"api/v1/admin/chains/{NewChainId()}", content);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Theory]
    [InlineData("9999-12-31", HttpStatusCode.Conflict, "conflict")]
    [InlineData("0001-01-01", HttpStatusCode.BadRequest, "validation")]
    public async Task A_settlement_run_of_a_day_that_cannot_be_settled_is_a_4xx_problem(string date, HttpStatusCode status, string typeName)
    {
        using var client = await OperatorClientAsync();
        var chainId = await RegisterChainAsync(client);

        using var response = await client.PostAsync($"api/v1/admin/settlements/{chainId}/{date}/run", null);

        await AssertProblemAsync(response, status, typeName);
        using var listed = await client.GetAsync($"api/v1/settlements/{chainId}?from=9999-10-01&to=9999-12-31");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(0, (await listed.Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength());
    }

    private async Task<HttpClient> OperatorClientAsync() => await ClientAsync(AdminApiRunner.OperatorKey);

    private async Task<HttpClient> ClientAsync(string? apiKey)
    {
        var client = (await runner.GetAsync(azurite)).CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    private static async Task<string> RegisterChainAsync(HttpClient operatorClient)
    {
        var chainId = NewChainId();
        using var response = await operatorClient.PutAsJsonAsync($"api/v1/admin/chains/{chainId}", new ChainRegistration("Chain " + chainId));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return chainId;
    }

    /// <summary>Every error of this API is a problem document with a stable type; none is a 5xx.</summary>
    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string typeName)
    {
        Assert.True((int)response.StatusCode < 500, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"https://posgreenpoints.cn/problems/{typeName}", problem.GetProperty("type").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private static string NewChainId() => "chain-" + Guid.NewGuid().ToString("N")[..16];

    private static string NewClientId() => "client-" + Guid.NewGuid().ToString("N")[..16];

    /// <summary>A readable stream that does not tell its length, so HttpClient sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }
}
