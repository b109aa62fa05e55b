using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Admin;

[Collection(SharedAzurite.Name)]
public sealed class ChainRegistryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_chain_is_created_then_updated_and_read_back_with_its_time_zone()
    {
        await using var services = AppServices.Build(azurite);
        var registry = services.GetRequiredService<ChainRegistry>();
        var chainId = NewChainId();

        var created = Assert.IsType<ChainUpsert.Created>(await registry.UpsertAsync(chainId, new ChainRegistration("华联超市"), CancellationToken.None));
        Assert.Equal("Asia/Shanghai", created.Chain.TimeZone.Id);

        var updated = Assert.IsType<ChainUpsert.Updated>(await registry.UpsertAsync(chainId, new ChainRegistration("华联", "Asia/Urumqi"), CancellationToken.None));
        Assert.Equal("Asia/Urumqi", updated.Chain.TimeZone.Id);

        await using var otherInstance = AppServices.Build(azurite);
        var read = await otherInstance.GetRequiredService<ChainRegistry>().GetAsync(chainId, CancellationToken.None);
        Assert.Equal(new Chain(chainId, "华联", TimeZoneInfo.FindSystemTimeZoneById("Asia/Urumqi")), read! with { RegisteredAt = null });
        Assert.Equal(created.Chain.RegisteredAt, read.RegisteredAt);
    }

    [Fact]
    public async Task A_posting_locks_the_zone_it_was_judged_in_and_only_that_zone()
    {
        await using var services = AppServices.Build(azurite);
        var registry = services.GetRequiredService<ChainRegistry>();
        var chainId = NewChainId();
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        var shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
        await registry.UpsertAsync(chainId, new ChainRegistration("Chain", "Asia/Tokyo"), CancellationToken.None);

        // Another instance changed the zone after this one judged a receipt in Tokyo: judge again.
        await using var otherInstance = AppServices.Build(azurite);
        await otherInstance.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new ChainRegistration("Chain", "Asia/Shanghai"), CancellationToken.None);
        Assert.False(await registry.LockTimeZoneAsync(chainId, tokyo, CancellationToken.None));

        Assert.True(await registry.LockTimeZoneAsync(chainId, shanghai, CancellationToken.None));
        Assert.IsType<ChainUpsert.TimeZoneLocked>(await otherInstance.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new ChainRegistration("Chain", "Asia/Tokyo"), CancellationToken.None));
        Assert.True((await otherInstance.GetRequiredService<ChainRegistry>().GetAsync(chainId, CancellationToken.None))!.TimeZoneLocked);
        Assert.IsType<ChainUpsert.Updated>(await registry.UpsertAsync(chainId, new ChainRegistration("New name", "Asia/Shanghai"), CancellationToken.None));
    }

    [Fact]
    public async Task An_unregistered_chain_is_not_found()
    {
        await using var services = AppServices.Build(azurite);

        Assert.Null(await services.GetRequiredService<ChainRegistry>().GetAsync(NewChainId(), CancellationToken.None));
        Assert.Null(await services.GetRequiredService<ChainRegistry>().GetAsync("bad id!", CancellationToken.None));
    }

    public static TheoryData<string, string?, string?, string> InvalidRegistrations() => new()
    {
        { "ok-chain", "Name", "Mars/Olympus_Mons", "timeZone" },
        { "ok-chain", "Name", "China Standard Time", "timeZone" },
        { "ok-chain", "Name", "", "timeZone" },
        { "ok-chain", "Name", "../../etc/passwd", "timeZone" },
        { "ok-chain", null, null, "name" },
        { "ok-chain", "   ", null, "name" },
        { "ok-chain", new string('n', 201), null, "name" },
        { "ok-chain", "line\nbreak", null, "name" },
        { "bad id!", "Name", null, "chainId" },
        { new string('c', 65), "Name", null, "chainId" },
    };

    [Theory]
    [MemberData(nameof(InvalidRegistrations))]
    public async Task An_invalid_registration_is_refused_and_nothing_is_stored(string chainId, string? name, string? timeZone, string path)
    {
        await using var services = AppServices.Build(azurite);
        var registry = services.GetRequiredService<ChainRegistry>();
        var uniqueChainId = chainId == "ok-chain" ? NewChainId() : chainId;

        var upsert = await registry.UpsertAsync(uniqueChainId, new ChainRegistration(name!, timeZone), CancellationToken.None);

        var invalid = Assert.IsType<ChainUpsert.Invalid>(upsert);
        Assert.Equal([path], invalid.Errors.Keys);
        Assert.Null(await registry.GetAsync(uniqueChainId, CancellationToken.None));
    }

    [Fact]
    public async Task A_name_of_200_characters_and_any_IANA_zone_are_accepted()
    {
        await using var services = AppServices.Build(azurite);

        var upsert = await services.GetRequiredService<ChainRegistry>().UpsertAsync(
            NewChainId(), new ChainRegistration(new string('n', 200), "America/Argentina/Buenos_Aires"), CancellationToken.None);

        Assert.IsType<ChainUpsert.Created>(upsert);
    }

    [Fact]
    public async Task A_zone_change_reaches_another_instance_within_30_seconds_and_the_writer_at_once()
    {
        var readerClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var reader = AppServices.Build(azurite, readerClock);
        await using var writer = AppServices.Build(azurite);
        var chainId = NewChainId();
        await writer.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new ChainRegistration("Chain", "Asia/Shanghai"), CancellationToken.None);
        Assert.Equal("Asia/Shanghai", (await reader.GetRequiredService<ChainRegistry>().GetAsync(chainId, CancellationToken.None))!.TimeZone.Id);

        await writer.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new ChainRegistration("Chain", "Asia/Tokyo"), CancellationToken.None);

        Assert.Equal("Asia/Tokyo", (await writer.GetRequiredService<ChainRegistry>().GetAsync(chainId, CancellationToken.None))!.TimeZone.Id);
        readerClock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal("Asia/Shanghai", (await reader.GetRequiredService<ChainRegistry>().GetAsync(chainId, CancellationToken.None))!.TimeZone.Id);
        readerClock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("Asia/Tokyo", (await reader.GetRequiredService<ChainRegistry>().GetAsync(chainId, CancellationToken.None))!.TimeZone.Id);
    }

    [Fact]
    public async Task A_chain_registered_on_another_instance_is_found_at_once()
    {
        await using var reader = AppServices.Build(azurite);
        await using var writer = AppServices.Build(azurite);
        var chainId = NewChainId();
        Assert.Null(await reader.GetRequiredService<ChainRegistry>().GetAsync(chainId, CancellationToken.None));

        await writer.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new ChainRegistration("Chain"), CancellationToken.None);

        Assert.NotNull(await reader.GetRequiredService<ChainRegistry>().GetAsync(chainId, CancellationToken.None));
    }

    [Fact]
    public async Task The_list_holds_every_registered_chain()
    {
        await using var services = AppServices.Build(azurite);
        var registry = services.GetRequiredService<ChainRegistry>();
        var chainIds = new[] { NewChainId(), NewChainId() };
        foreach (var chainId in chainIds)
        {
            await registry.UpsertAsync(chainId, new ChainRegistration("Chain " + chainId, "Asia/Hong_Kong"), CancellationToken.None);
        }

        var chains = (await registry.ListAsync(CancellationToken.None)).Select(chain => chain with { RegisteredAt = null }).ToList();

        Assert.All(chainIds, chainId => Assert.Contains(new Chain(chainId, "Chain " + chainId, TimeZoneInfo.FindSystemTimeZoneById("Asia/Hong_Kong")), chains));
    }

    private static string NewChainId() => "chain-" + Guid.NewGuid().ToString("N");
}
