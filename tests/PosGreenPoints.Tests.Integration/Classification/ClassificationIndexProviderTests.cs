using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Classification;

[Collection(SharedAzurite.Name)]
public sealed class ClassificationIndexProviderTests(AzuriteFixture azurite) : IDisposable
{
    /// <summary>安居实木衣柜: on both sample lists, valid on <see cref="BusinessDate"/>.</summary>
    private const string OnBothLists = "06988368595748";

    private static readonly DateOnly BusinessDate = new(2026, 3, 15);
    private static readonly byte[] GreenSample = File.ReadAllBytes(Path.Combine(RepositoryPaths.SampleData, "certified-green.csv"));
    private static readonly byte[] LowVocSample = File.ReadAllBytes(Path.Combine(RepositoryPaths.SampleData, "low-voc.csv"));

    private readonly TestRulesFile _rules = new();

    [Fact]
    public async Task The_index_holds_the_published_versions_and_picks_up_a_new_one_while_old_snapshots_stay_as_they_were()
    {
        await using var services = AppServices.Build(azurite, settings: _rules.Settings());
        var provider = services.GetRequiredService<ClassificationIndexProvider>();
        Assert.Empty((await provider.GetCurrentAsync(CancellationToken.None)).Versions);
        var green = await PublishAsync(services, _rules.Green, GreenSample);
        var lowVoc = await PublishAsync(services, _rules.LowVoc, LowVocSample);

        var first = await provider.GetCurrentAsync(CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { [_rules.Green] = green, [_rules.LowVoc] = lowVoc }, first.Versions);
        Assert.Equal(
            [new ListMatch(_rules.Green, green, "GP202688478314", "安居实木衣柜"), new ListMatch(_rules.LowVoc, lowVoc, null, "安居实木衣柜")],
            first.Classify(OnBothLists, BusinessDate));

        // The new version drops the product from the low-VOC list.
        var withoutIt = Encoding.UTF8.GetBytes(string.Join("\n", Encoding.UTF8.GetString(LowVocSample).Split('\n').Where(line => !line.StartsWith("6988368595748,", StringComparison.Ordinal))));
        var newLowVoc = await PublishAsync(services, _rules.LowVoc, withoutIt);

        var second = await provider.GetCurrentAsync(CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { [_rules.Green] = green, [_rules.LowVoc] = newLowVoc }, second.Versions);
        Assert.Equal(_rules.Green, Assert.Single(second.Classify(OnBothLists, BusinessDate)).ListId);
        Assert.Equal(2, first.Classify(OnBothLists, BusinessDate).Count);
        Assert.Equal(lowVoc, first.Versions[_rules.LowVoc]);
    }

    [Fact]
    public async Task Without_a_new_version_a_refresh_reads_only_each_lists_current_version_and_keeps_the_snapshot()
    {
        await using var services = AppServices.Build(azurite, settings: _rules.Settings());
        var provider = services.GetRequiredService<ClassificationIndexProvider>();
        await PublishAsync(services, _rules.Green, GreenSample);
        await PublishAsync(services, _rules.LowVoc, LowVocSample);
        var loaded = await provider.GetCurrentAsync(CancellationToken.None);
        var counter = services.GetRequiredService<StorageOperationCounter>();
        counter.Reset();

        var refreshed = await provider.GetCurrentAsync(CancellationToken.None);

        Assert.Same(loaded, refreshed);
        Assert.Equal(2, counter.Count);
    }

    [Fact]
    public async Task Current_versions_are_read_at_most_once_per_refresh_interval()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var services = AppServices.Build(azurite, clock, _rules.Settings(TimeSpan.FromSeconds(10)));
        var provider = services.GetRequiredService<ClassificationIndexProvider>();
        var green = await PublishAsync(services, _rules.Green, GreenSample);
        var loaded = await provider.GetCurrentAsync(CancellationToken.None);
        await using (var otherInstance = AppServices.Build(azurite, settings: _rules.Settings()))
        {
            await PublishAsync(otherInstance, _rules.LowVoc, LowVocSample);
        }

        var counter = services.GetRequiredService<StorageOperationCounter>();
        counter.Reset();

        clock.Advance(TimeSpan.FromSeconds(9));
        var cached = await provider.GetCurrentAsync(CancellationToken.None);
        Assert.Same(loaded, cached);
        Assert.Equal(0, counter.Count);

        clock.Advance(TimeSpan.FromSeconds(1));
        var refreshed = await provider.GetCurrentAsync(CancellationToken.None);
        Assert.Equal([_rules.Green, _rules.LowVoc], refreshed.Versions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(green, refreshed.Versions[_rules.Green]);
    }

    [Fact]
    public async Task A_list_published_on_this_instance_is_used_from_the_next_call_without_waiting_for_the_interval()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var services = AppServices.Build(azurite, clock, _rules.Settings(TimeSpan.FromMinutes(10)));
        var provider = services.GetRequiredService<ClassificationIndexProvider>();
        var green = await PublishAsync(services, _rules.Green, GreenSample);
        Assert.Equal([_rules.Green], (await provider.GetCurrentAsync(CancellationToken.None)).Versions.Keys);

        var lowVoc = await PublishAsync(services, _rules.LowVoc, LowVocSample);
        var next = await provider.GetCurrentAsync(CancellationToken.None);

        Assert.Equal(new Dictionary<string, string> { [_rules.Green] = green, [_rules.LowVoc] = lowVoc }, next.Versions);
    }

    [Fact]
    public async Task Callers_that_arrive_together_share_one_load()
    {
        var interval = TimeSpan.FromSeconds(10);
        await using (var publishing = AppServices.Build(azurite, settings: _rules.Settings()))
        {
            await PublishAsync(publishing, _rules.Green, GreenSample);
            await PublishAsync(publishing, _rules.LowVoc, LowVocSample);
        }

        await using var alone = AppServices.Build(azurite, settings: _rules.Settings(interval));
        await alone.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
        alone.GetRequiredService<StorageOperationCounter>().Reset();
        await alone.GetRequiredService<ClassificationIndexProvider>().GetCurrentAsync(CancellationToken.None);
        var oneLoad = alone.GetRequiredService<StorageOperationCounter>().Count;

        await using var together = AppServices.Build(azurite, settings: _rules.Settings(interval));
        var provider = together.GetRequiredService<ClassificationIndexProvider>();
        await together.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
        together.GetRequiredService<StorageOperationCounter>().Reset();
        var snapshots = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => provider.GetCurrentAsync(CancellationToken.None))));

        Assert.All(snapshots, snapshot => Assert.Same(snapshots[0], snapshot));
        Assert.Equal(2, snapshots[0].Versions.Count);
        Assert.Equal(oneLoad, together.GetRequiredService<StorageOperationCounter>().Count);
    }

    public void Dispose() => _rules.Dispose();

    private static async Task<string> PublishAsync(ServiceProvider services, string listId, byte[] csv)
    {
        await using var body = new MemoryStream(csv);
        var outcome = await services.GetRequiredService<ProductListPublisher>().PublishAsync(listId, body, limitBytes: null, CancellationToken.None);
        return Assert.IsType<PublishOutcome.Published>(outcome).Version.Version;
    }
}
