using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Contracts;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Admin;

[Collection(SharedAzurite.Name)]
public sealed class ClientRegistryTests(AzuriteFixture azurite)
{
    private const string BootstrapKey = "integration-test-operator-key-0123456789abcdef";

    [Fact]
    public async Task A_created_client_authenticates_and_fails_at_once_on_every_instance_after_revocation()
    {
        await using var first = AppServices.Build(azurite);
        await using var second = AppServices.Build(azurite);
        var chainId = await RegisterChainAsync(first);
        var clientId = NewClientId();

        var creation = await first.GetRequiredService<ClientRegistry>().CreateAsync(
            new CreateClientRequest(clientId, "pos", [chainId]), CancellationToken.None);
        var created = Assert.IsType<ClientCreation.Created>(creation);

        foreach (var instance in new[] { first, second })
        {
            var caller = await AuthenticateAsync(instance, created.ApiKey);
            Assert.NotNull(caller);
            Assert.Equal(clientId, caller.ClientId);
            Assert.Equal(Role.Pos, caller.Role);
            Assert.Equal([chainId], caller.Chains);
        }

        Assert.Equal(ClientRevocation.Revoked, await first.GetRequiredService<ClientRegistry>().RevokeAsync(clientId, CancellationToken.None));

        Assert.Null(await AuthenticateAsync(first, created.ApiKey));
        Assert.Null(await AuthenticateAsync(second, created.ApiKey));
    }

    [Fact]
    public async Task A_taken_client_id_is_a_conflict_and_a_revoked_one_is_never_reused()
    {
        await using var services = AppServices.Build(azurite);
        var registry = services.GetRequiredService<ClientRegistry>();
        var clientId = NewClientId();
        var request = new CreateClientRequest(clientId, "operator", []);

        Assert.IsType<ClientCreation.Created>(await registry.CreateAsync(request, CancellationToken.None));
        Assert.IsType<ClientCreation.IdTaken>(await registry.CreateAsync(request, CancellationToken.None));

        await registry.RevokeAsync(clientId, CancellationToken.None);
        Assert.IsType<ClientCreation.IdTaken>(await registry.CreateAsync(request, CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_creations_of_one_id_make_one_client()
    {
        await using var services = AppServices.Build(azurite);
        var registry = services.GetRequiredService<ClientRegistry>();
        var request = new CreateClientRequest(NewClientId(), "operator", []);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => registry.CreateAsync(request, CancellationToken.None)));

        Assert.Single(results.OfType<ClientCreation.Created>());
        Assert.Equal(7, results.OfType<ClientCreation.IdTaken>().Count());
    }

    [Fact]
    public async Task Revoking_an_unknown_client_is_not_found_and_revoking_twice_keeps_the_first_revocation()
    {
        await using var services = AppServices.Build(azurite);
        var registry = services.GetRequiredService<ClientRegistry>();
        var clientId = NewClientId();
        await registry.CreateAsync(new CreateClientRequest(clientId, "operator", []), CancellationToken.None);

        Assert.Equal(ClientRevocation.NotFound, await registry.RevokeAsync(NewClientId(), CancellationToken.None));
        Assert.Equal(ClientRevocation.Revoked, await registry.RevokeAsync(clientId, CancellationToken.None));
        var revokedAt = (await registry.FindAsync(clientId, CancellationToken.None))!.RevokedAt;
        Assert.Equal(ClientRevocation.AlreadyRevoked, await registry.RevokeAsync(clientId, CancellationToken.None));

        var client = await registry.FindAsync(clientId, CancellationToken.None);
        Assert.NotNull(revokedAt);
        Assert.Equal(revokedAt, client!.RevokedAt);
        Assert.True(client.SecretHash.IsEmpty);
    }

    [Fact]
    public async Task Storage_holds_the_hash_of_the_secret_and_never_the_key()
    {
        await using var services = AppServices.Build(azurite);
        var clientId = NewClientId();
        var created = Assert.IsType<ClientCreation.Created>(await services.GetRequiredService<ClientRegistry>().CreateAsync(
            new CreateClientRequest(clientId, "operator", []), CancellationToken.None));
        Assert.True(ApiKeys.TryParse(created.ApiKey, out var key));

        var entity = (await azurite.Tables.GetTableClient(StorageNames.Tables.Clients).GetEntityAsync<TableEntity>(clientId, "client")).Value;

        var stored = string.Join("|", entity.Select(property => property.Value).Select(value => value is byte[] bytes ? Convert.ToBase64String(bytes) : value?.ToString()));
        Assert.DoesNotContain(key.Secret, stored, StringComparison.Ordinal);
        Assert.Equal(ApiKeys.HashSecret(key.Secret), entity.GetBinary("SecretHash"));
    }

    [Fact]
    public async Task A_changed_missing_or_unknown_key_does_not_authenticate()
    {
        await using var services = AppServices.Build(azurite);
        var created = Assert.IsType<ClientCreation.Created>(await services.GetRequiredService<ClientRegistry>().CreateAsync(
            new CreateClientRequest(NewClientId(), "operator", []), CancellationToken.None));
        var lastCharacter = created.ApiKey[^1] == 'A' ? 'B' : 'A';

        Assert.Null(await AuthenticateAsync(services, created.ApiKey[..^1] + lastCharacter));
        Assert.Null(await AuthenticateAsync(services, created.ApiKey + "A"));
        Assert.Null(await AuthenticateAsync(services, NewClientId() + created.ApiKey[created.ApiKey.IndexOf('.', StringComparison.Ordinal)..]));
        Assert.Null(await AuthenticateAsync(services, "not a key"));
        Assert.Null(await AuthenticateAsync(services, null));
        Assert.Null(await AuthenticateAsync(services, BootstrapKey + "x"));
    }

    [Fact]
    public async Task Two_key_headers_do_not_authenticate_even_when_one_is_right()
    {
        await using var services = AppServices.Build(azurite);
        var request = new DefaultHttpContext().Request;
        request.Headers[ApiKeyAuthenticator.HeaderName] = new([BootstrapKey, BootstrapKey]);

        Assert.Null(await services.GetRequiredService<ApiKeyAuthenticator>().AuthenticateAsync(request, CancellationToken.None));
    }

    [Fact]
    public async Task The_bootstrap_key_is_an_operator()
    {
        await using var services = AppServices.Build(azurite);

        var caller = await AuthenticateAsync(services, BootstrapKey);

        Assert.Equal(ApiKeys.BootstrapOperatorClientId, caller?.ClientId);
        Assert.Equal(Role.Operator, caller?.Role);
    }

    [Fact]
    public async Task Every_chain_of_a_client_must_be_registered()
    {
        await using var services = AppServices.Build(azurite);
        var registered = await RegisterChainAsync(services);

        var creation = await services.GetRequiredService<ClientRegistry>().CreateAsync(
            new CreateClientRequest(NewClientId(), "chain", [registered, "never-registered-" + Guid.NewGuid().ToString("N")[..8]]),
            CancellationToken.None);

        var unregistered = Assert.IsType<ClientCreation.ChainsNotRegistered>(creation);
        Assert.Equal(["chains[1]"], unregistered.Errors.Keys);
    }

    public static TheoryData<CreateClientRequest, string[]> InvalidRequests() => new()
    {
        { new CreateClientRequest(null!, "pos", ["c"]), ["clientId"] },
        { new CreateClientRequest("has.dot", "pos", ["c"]), ["clientId"] },
        { new CreateClientRequest(new string('c', 65), "pos", ["c"]), ["clientId"] },
        { new CreateClientRequest(ApiKeys.BootstrapOperatorClientId, "operator", []), ["clientId"] },
        { new CreateClientRequest("ok", null!, []), ["role"] },
        { new CreateClientRequest("ok", "Operator", []), ["role"] },
        { new CreateClientRequest("ok", "pos", null), ["chains"] },
        { new CreateClientRequest("ok", "chain", []), ["chains"] },
        { new CreateClientRequest("ok", "operator", ["c"]), ["chains"] },
        { new CreateClientRequest("ok", "pos", ["c", "bad id!", null!, "c"]), ["chains[1]", "chains[2]", "chains[3]"] },
        { new CreateClientRequest("ok", "pos", Enumerable.Range(0, Limits.MaxChainsPerClient + 1).Select(index => $"c{index}").ToArray()), ["chains"] },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task An_invalid_request_names_each_invalid_field_by_its_path(CreateClientRequest request, string[] paths)
    {
        await using var services = AppServices.Build(azurite);

        var creation = await services.GetRequiredService<ClientRegistry>().CreateAsync(request, CancellationToken.None);

        var invalid = Assert.IsType<ClientCreation.Invalid>(creation);
        Assert.Equal(paths, invalid.Errors.Keys.Order(StringComparer.Ordinal));
    }

    private static async Task<Caller?> AuthenticateAsync(IServiceProvider services, string? key)
    {
        var request = new DefaultHttpContext().Request;
        if (key is not null)
        {
            request.Headers[ApiKeyAuthenticator.HeaderName] = key;
        }

        return await services.GetRequiredService<ApiKeyAuthenticator>().AuthenticateAsync(request, CancellationToken.None);
    }

    private static async Task<string> RegisterChainAsync(IServiceProvider services)
    {
        var chainId = "chain-" + Guid.NewGuid().ToString("N")[..12];
        Assert.IsType<ChainUpsert.Created>(await services.GetRequiredService<ChainRegistry>().UpsertAsync(
            chainId, new ChainRegistration("Test chain"), CancellationToken.None));
        return chainId;
    }

    private static string NewClientId() => "client-" + Guid.NewGuid().ToString("N");
}
