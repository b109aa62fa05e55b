using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Auth;

/// <summary>Every route × every kind of caller × own or other chain → the status api.md promises.</summary>
[Collection(FunctionAppTests.Name)]
public sealed class AuthorizationMatrixTests(FunctionAppFixture app)
{
    private enum Caller
    {
        NoKey,
        UnknownKey,
        RevokedKey,
        Pos,
        ChainRole,
        App,
        Operator,
    }

    private enum Scope
    {
        Own,
        Other,
    }

    private sealed record Setup(string OwnChain, string OtherChain, string OwnReceiptUrl, string OtherReceiptUrl, IReadOnlyDictionary<Caller, string?> Keys);

    [Fact]
    public async Task Every_route_answers_every_caller_as_the_contract_says()
    {
        var setup = await SetUpAsync();
        var failures = new List<string>();
        var checks = 0;

        foreach (var caller in Enum.GetValues<Caller>())
        {
            foreach (var scope in Enum.GetValues<Scope>())
            {
                using var client = app.Client(setup.Keys[caller]);
                var chain = scope == Scope.Own ? setup.OwnChain : setup.OtherChain;
                foreach (var (route, send, expected) in Routes(setup, chain, scope, caller))
                {
                    using var response = await send(client);
                    checks++;
                    var actual = (int)response.StatusCode;
                    if (actual != expected)
                    {
                        failures.Add($"{route} as {caller} on {scope} chain: expected {expected}, got {actual} {await response.Content.ReadAsStringAsync()}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {checks} checks failed:{Environment.NewLine}{string.Join(Environment.NewLine, failures)}");
    }

    [Fact]
    public async Task A_pos_key_posting_a_batch_for_another_chain_gets_that_receipt_rejected_and_the_rest_accepted()
    {
        var setup = await SetUpAsync();
        using var client = app.Client(setup.Keys[Caller.Pos]);

        using var response = await client.PostAsync("api/v1/receipts/batch", AppApi.Json(new System.Text.Json.Nodes.JsonObject
        {
            ["receipts"] = new System.Text.Json.Nodes.JsonArray(SampleReceipts.Receipt(30, setup.OwnChain), SampleReceipts.Receipt(31, setup.OtherChain)),
        }));
        var results = (await response.Content.ReadFromJsonAsync<BatchResult>())!.Results;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("accepted", results[0].Status);
        Assert.Equal("rejected", results[1].Status);
        Assert.Contains("chainId", results[1].Errors!.Keys);
    }

    private static int Expect(Caller caller, int allowed, params Caller[] mayUse) => caller switch
    {
        Caller.NoKey or Caller.UnknownKey or Caller.RevokedKey => 401,
        _ when mayUse.Contains(caller) => allowed,
        _ => 403,
    };

    private static IEnumerable<(string Route, Func<HttpClient, Task<HttpResponseMessage>> Send, int Expected)> Routes(Setup setup, string chain, Scope scope, Caller caller)
    {
        var receiptNumber = $"M-{Guid.NewGuid():N}"[..20];
        var receipt = SampleReceipts.Receipt(20, chain);
        receipt["receiptNumber"] = receiptNumber;
        var posting = Expect(caller, scope == Scope.Own || caller == Caller.Operator ? 202 : 403, Caller.Pos, Caller.Operator);
        yield return ("POST /v1/receipts", client => client.PostAsync("api/v1/receipts", AppApi.Json(receipt)), posting);

        var batchReceipt = SampleReceipts.Receipt(21, chain);
        batchReceipt["receiptNumber"] = receiptNumber + "B";
        yield return ("POST /v1/receipts/batch", client => client.PostAsync("api/v1/receipts/batch", AppApi.Json(new System.Text.Json.Nodes.JsonObject { ["receipts"] = new System.Text.Json.Nodes.JsonArray(batchReceipt) })),
            Expect(caller, 200, Caller.Pos, Caller.Operator));

        var receiptUrl = scope == Scope.Own ? setup.OwnReceiptUrl : setup.OtherReceiptUrl;
        yield return ("GET /v1/receipts/{id}", client => client.GetAsync(receiptUrl),
            Expect(caller, scope == Scope.Own || caller == Caller.Operator ? 200 : 404, Caller.Pos, Caller.ChainRole, Caller.Operator));

        yield return ("PUT /v1/admin/chains/{chainId}", client => client.PutAsJsonAsync($"api/v1/admin/chains/{chain}", new ChainRegistration("Renamed")),
            Expect(caller, 200, Caller.Operator));
        var newClient = $"matrix-{Guid.NewGuid():N}";
        yield return ("POST /v1/admin/clients", client => client.PostAsJsonAsync("api/v1/admin/clients", new CreateClientRequest(newClient, "pos", [chain])),
            Expect(caller, 201, Caller.Operator));
        yield return ("DELETE /v1/admin/clients/{clientId}", client => client.DeleteAsync($"api/v1/admin/clients/{newClient}"),
            Expect(caller, 204, Caller.Operator));
        yield return ("POST /v1/admin/clients (app)", client => client.PostAsJsonAsync("api/v1/admin/clients", new CreateClientRequest($"matrix-app-{Guid.NewGuid():N}", "app", [])),
            Expect(caller, 201, Caller.Operator));
        yield return ("POST /v1/admin/clients (app with a chain)", client => client.PostAsJsonAsync("api/v1/admin/clients", new CreateClientRequest($"matrix-app-{Guid.NewGuid():N}", "app", [chain])),
            Expect(caller, 400, Caller.Operator));
        // A member with no posting: 404 to every role that may read members (which members a pos or chain
        // key sees is WalletApiTests' table).
        foreach (var read in new[] { "points", "statement", "lots" })
        {
            yield return ($"GET /v1/members/{{memberId}}/{read} (no posting)", client => client.GetAsync($"api/v1/members/NOBODY-{Guid.NewGuid():N}/{read}"),
                Expect(caller, 404, Caller.Pos, Caller.ChainRole, Caller.App, Caller.Operator));
        }

        // Redemption (redemption.md) with codes and redemption ids nobody has: the answer a caller may see
        // is the 404 of a missing object; another chain's redemption is that same 404 (its existence is not
        // revealed), while reserving for a chain outside the key's scope is refused outright.
        yield return ("POST /v1/members/{memberId}/codes", client => client.PostAsync($"api/v1/members/MATRIX-{Guid.NewGuid():N}"[..30] + "/codes", null),
            Expect(caller, 201, Caller.App, Caller.Operator));
        yield return ("GET /v1/members/by-code/{code}/points (unknown code)", client => client.GetAsync("api/v1/members/by-code/000000000000000000/points"),
            Expect(caller, 404, Caller.Pos));
        var reservation = new PosGreenPoints.Contracts.Redemptions.RedemptionRequest(chain, "SH-0001", "POS-01", $"MX-{Guid.NewGuid():N}"[..20], "000000000000000000", null, 10, "discount", null, null);
        yield return ("POST /v1/redemptions (unknown code)", client => client.PostAsJsonAsync("api/v1/redemptions", reservation),
            Expect(caller, scope == Scope.Own || caller == Caller.Operator ? 404 : 403, Caller.Pos, Caller.Operator));
        var redemptionUrl = $"api/v1/redemptions/{chain}/MX-NONE-{Guid.NewGuid():N}"[..60];
        yield return ("POST /v1/redemptions/{chainId}/{id}/commit (none)", client => client.PostAsync(redemptionUrl + "/commit", null), Expect(caller, 404, Caller.Pos, Caller.Operator));
        yield return ("POST /v1/redemptions/{chainId}/{id}/cancel (none)", client => client.PostAsync(redemptionUrl + "/cancel", null), Expect(caller, 404, Caller.Pos, Caller.Operator));
        yield return ("POST /v1/redemptions/{chainId}/{id}/refunds (none)", client => client.PostAsJsonAsync(redemptionUrl + "/refunds", new PosGreenPoints.Contracts.Redemptions.RefundRequest("F-1", 10)),
            Expect(caller, 404, Caller.Pos, Caller.Operator));
        yield return ("GET /v1/redemptions/{chainId}/{id} (none)", client => client.GetAsync(redemptionUrl), Expect(caller, 404, Caller.Pos, Caller.ChainRole, Caller.Operator));

        // Activities (activities.md): a retail chain may post them too; reads as receipts'.
        JsonObject Activity(string activityId) => new()
        {
            ["chainId"] = chain, ["storeId"] = "SH-0001", ["terminalId"] = "POS-01", ["activityId"] = activityId, ["type"] = "recycling",
            ["memberId"] = "MATRIX-MEMBER", ["quantity"] = 2,
            ["occurredAt"] = DateTimeOffset.UtcNow.AddMinutes(-5).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture),
        };
        yield return ("POST /v1/activities", client => client.PostAsync("api/v1/activities", AppApi.Json(Activity(receiptNumber + "A"))),
            Expect(caller, scope == Scope.Own || caller == Caller.Operator ? 202 : 403, Caller.Pos, Caller.Operator));
        yield return ("POST /v1/activities/batch", client => client.PostAsync("api/v1/activities/batch", AppApi.Json(new JsonObject { ["activities"] = new JsonArray(Activity(receiptNumber + "AB")) })),
            Expect(caller, 200, Caller.Pos, Caller.Operator));
        yield return ("GET /v1/activities/{id} (none)", client => client.GetAsync($"api/v1/activities/act~{chain}~SH-0001~20261201~POS-01~NONE"),
            Expect(caller, 404, Caller.Pos, Caller.ChainRole, Caller.Operator));
        yield return ("POST /v1/admin/members/{memberId}/adjustments", client => client.PostAsJsonAsync(
            $"api/v1/admin/members/MATRIX-{Guid.NewGuid():N}"[..36] + "/adjustments", new PosGreenPoints.Contracts.Activities.AdjustmentRequest("ADJ-M", chain, 10, "matrix")),
            Expect(caller, 201, Caller.Operator));

        yield return ("POST /v1/admin/wallets/migrate", client => client.PostAsync("api/v1/admin/wallets/migrate", null), Expect(caller, 200, Caller.Operator));

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var range = $"from={today.AddDays(-3):yyyy-MM-dd}&to={today:yyyy-MM-dd}";
        var ownOrOperator = scope == Scope.Own || caller == Caller.Operator;
        yield return ("GET /v1/settlements/{chainId}", client => client.GetAsync($"api/v1/settlements/{chain}?{range}"),
            Expect(caller, ownOrOperator ? 200 : 404, Caller.ChainRole, Caller.Operator));
        yield return ("GET /v1/settlements/{chainId}/{date} (not settled)", client => client.GetAsync($"api/v1/settlements/{chain}/{today.AddDays(-1):yyyy-MM-dd}"),
            Expect(caller, 404, Caller.ChainRole, Caller.Operator));
        yield return ("GET /v1/settlements/{chainId}/{date}/file (not settled)", client => client.GetAsync($"api/v1/settlements/{chain}/{today.AddDays(-1):yyyy-MM-dd}/file"),
            Expect(caller, 404, Caller.ChainRole, Caller.Operator));
        yield return ("POST /v1/admin/settlements/{chainId}/{date}/run (open day)", client => client.PostAsync($"api/v1/admin/settlements/{chain}/{today.AddDays(1):yyyy-MM-dd}/run", null),
            Expect(caller, 409, Caller.Operator));
        // Clearing (clearing.md): the chains' reads as settlements'; a day long before the chains existed was never cleared.
        yield return ("GET /v1/clearing/{chainId}", client => client.GetAsync($"api/v1/clearing/{chain}?{range}"),
            Expect(caller, ownOrOperator ? 200 : 404, Caller.ChainRole, Caller.Operator));
        yield return ("GET /v1/clearing/{chainId}/{date} (not cleared)", client => client.GetAsync($"api/v1/clearing/{chain}/2021-06-15"),
            Expect(caller, 404, Caller.ChainRole, Caller.Operator));
        yield return ("GET /v1/clearing/{chainId}/{date}/file (not cleared)", client => client.GetAsync($"api/v1/clearing/{chain}/2021-06-15/file"),
            Expect(caller, 404, Caller.ChainRole, Caller.Operator));
        yield return ("GET /v1/admin/clearing/{date} (not cleared)", client => client.GetAsync("api/v1/admin/clearing/2021-06-15"), Expect(caller, 404, Caller.Operator));
        yield return ("POST /v1/admin/clearing/{date}/run (open day)", client => client.PostAsync($"api/v1/admin/clearing/{today.AddDays(1):yyyy-MM-dd}/run", null),
            Expect(caller, 409, Caller.Operator));
        yield return ("GET /v1/admin/product-lists", client => client.GetAsync("api/v1/admin/product-lists"), Expect(caller, 200, Caller.Operator));
        yield return ("GET /v1/admin/poison", client => client.GetAsync("api/v1/admin/poison"), Expect(caller, 200, Caller.Operator));
        yield return ("GET /openapi.json", client => client.GetAsync("api/openapi.json"), 200);
        yield return ("GET /health", client => client.GetAsync("api/health"), 200);
    }

    private async Task<Setup> SetUpAsync()
    {
        var own = SampleReceipts.NewChainId("own");
        var other = SampleReceipts.NewChainId("other");
        await app.RegisterChainAsync(own);
        await app.RegisterChainAsync(other);
        var revoked = await app.CreateClientAsync("pos", own);
        await app.RevokeClientAsync(revoked);
        var keys = new Dictionary<Caller, string?>
        {
            [Caller.NoKey] = null,
            [Caller.UnknownKey] = "nobody.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            [Caller.RevokedKey] = revoked,
            [Caller.Pos] = await app.CreateClientAsync("pos", own),
            [Caller.ChainRole] = await app.CreateClientAsync("chain", own),
            [Caller.App] = await app.CreateClientAsync("app"),
            [Caller.Operator] = FunctionAppFixture.OperatorKey,
        };

        using var operatorClient = app.Client();
        async Task<string> PostAsync(string chain, int index)
        {
            using var response = await operatorClient.PostAsync("api/v1/receipts", AppApi.Json(SampleReceipts.Receipt(index, chain)));
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            return body.GetProperty("statusUrl").GetString()!.TrimStart('/');
        }

        return new Setup(own, other, await PostAsync(own, 22), await PostAsync(other, 23), keys);
    }
}
