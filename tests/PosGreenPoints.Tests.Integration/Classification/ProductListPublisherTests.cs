using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Classification;

[Collection(SharedAzurite.Name)]
public sealed class ProductListPublisherTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly byte[] GreenSample = File.ReadAllBytes(Path.Combine(RepositoryPaths.SampleData, "certified-green.csv"));
    private static readonly byte[] LowVocSample = File.ReadAllBytes(Path.Combine(RepositoryPaths.SampleData, "low-voc.csv"));

    private readonly TestRulesFile _rules = new();

    [Fact]
    public async Task Publishing_the_sample_lists_makes_versions_named_by_time_with_the_sha256_of_the_bytes()
    {
        var now = new DateTimeOffset(2026, 3, 15, 2, 30, 45, TimeSpan.Zero);
        await using var services = AppServices.Build(azurite, new FakeTimeProvider(now), _rules.Settings());
        var publisher = services.GetRequiredService<ProductListPublisher>();

        var green = Assert.IsType<PublishOutcome.Published>(await PublishAsync(publisher, _rules.Green, GreenSample)).Version;
        var lowVoc = Assert.IsType<PublishOutcome.Published>(await PublishAsync(publisher, _rules.LowVoc, LowVocSample)).Version;

        Assert.Equal((_rules.Green, 3060, Sha256(GreenSample), now), (green.ListId, green.RowCount, green.Sha256, green.PublishedAt));
        Assert.Equal((_rules.LowVoc, 767, Sha256(LowVocSample)), (lowVoc.ListId, lowVoc.RowCount, lowVoc.Sha256));
        Assert.Matches("^20260315T023045Z-[0-9a-f]{12}$", green.Version);
        Assert.NotEqual(green.Version, lowVoc.Version);
        Assert.Equal([green, lowVoc], await publisher.ListCurrentAsync(CancellationToken.None));

        var stored = Versions.GetBlobClient($"{_rules.Green}/versions/{green.Version}.csv");
        Assert.Equal(GreenSample, (await stored.DownloadContentAsync()).Value.Content.ToArray());
        using var current = JsonDocument.Parse((await Versions.GetBlobClient($"{_rules.Green}/current.json").DownloadContentAsync()).Value.Content);
        Assert.Equal(green.Version, current.RootElement.GetProperty("version").GetString());
        Assert.Equal(green.Sha256, current.RootElement.GetProperty("sha256").GetString());
        Assert.Equal($"{_rules.Green}/versions/{green.Version}.csv", current.RootElement.GetProperty("blob").GetString());
    }

    [Fact]
    public async Task Publishing_the_bytes_of_the_current_version_again_answers_that_version_and_writes_nothing()
    {
        await using var services = AppServices.Build(azurite, settings: _rules.Settings());
        var publisher = services.GetRequiredService<ProductListPublisher>();
        var first = Assert.IsType<PublishOutcome.Published>(await PublishAsync(publisher, _rules.LowVoc, LowVocSample)).Version;

        var again = Assert.IsType<PublishOutcome.Unchanged>(await PublishAsync(publisher, _rules.LowVoc, LowVocSample)).Version;

        Assert.Equal(first, again);
        Assert.Equal([first.Version], await VersionsOfAsync(_rules.LowVoc));
    }

    [Fact]
    public async Task An_invalid_list_leaves_the_current_version_as_it_was_and_stores_no_version()
    {
        await using var services = AppServices.Build(azurite, settings: _rules.Settings());
        var publisher = services.GetRequiredService<ProductListPublisher>();
        var published = Assert.IsType<PublishOutcome.Published>(await PublishAsync(publisher, _rules.Green, GreenSample)).Version;
        var currentBefore = await Versions.GetBlobClient($"{_rules.Green}/current.json").GetPropertiesAsync();
        // A bad check digit in the very last row, after every block of the file has streamed by.
        var text = Encoding.UTF8.GetString(GreenSample).TrimEnd('\n', '\r');
        var lastGtin = text[(text.LastIndexOf('\n') + 1)..][..13];
        var broken = Encoding.UTF8.GetBytes(text[..(text.LastIndexOf('\n') + 1)] + text[(text.LastIndexOf('\n') + 1)..].Replace(lastGtin, lastGtin[..12] + (char)('0' + ((lastGtin[12] - '0' + 1) % 10)), StringComparison.Ordinal));

        var invalid = Assert.IsType<PublishOutcome.Invalid>(await PublishAsync(publisher, _rules.Green, broken));

        var error = Assert.Single(invalid.Validation.Errors);
        Assert.Equal((3060, "gtin"), (error.Row, error.Column));
        var currentAfter = await Versions.GetBlobClient($"{_rules.Green}/current.json").GetPropertiesAsync();
        Assert.Equal(currentBefore.Value.ETag, currentAfter.Value.ETag);
        Assert.Equal([published.Version], await VersionsOfAsync(_rules.Green));
        Assert.Equal(published, Assert.Single(await publisher.ListCurrentAsync(CancellationToken.None), list => list.ListId == _rules.Green));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_too_large_and_changes_nothing()
    {
        await using var services = AppServices.Build(azurite, settings: _rules.Settings());
        var publisher = services.GetRequiredService<ProductListPublisher>();

        await using var body = new MemoryStream(GreenSample);
        var outcome = await publisher.PublishAsync(_rules.Green, body, limitBytes: 64 * 1024, CancellationToken.None);

        Assert.Equal(64 * 1024, Assert.IsType<PublishOutcome.TooLarge>(outcome).LimitBytes);
        Assert.Empty(await VersionsOfAsync(_rules.Green));
        Assert.DoesNotContain(await publisher.ListCurrentAsync(CancellationToken.None), list => list.ListId == _rules.Green);
    }

    [Fact]
    public async Task A_list_the_rules_do_not_name_is_unknown()
    {
        await using var services = AppServices.Build(azurite, settings: _rules.Settings());
        var publisher = services.GetRequiredService<ProductListPublisher>();

        Assert.IsType<PublishOutcome.UnknownList>(await PublishAsync(publisher, "no-such-list", LowVocSample));
        Assert.IsType<PublishOutcome.UnknownList>(await PublishAsync(publisher, "../" + _rules.LowVoc, LowVocSample));
        Assert.Null(await publisher.CreateUploadAsync("no-such-list", CancellationToken.None));
    }

    [Fact]
    public async Task Of_two_concurrent_publishes_one_wins_and_the_other_is_a_conflict_that_leaves_nothing_behind()
    {
        await using var services = AppServices.Build(azurite, settings: _rules.Settings());
        var publisher = services.GetRequiredService<ProductListPublisher>();
        var other = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(LowVocSample).Replace("g/L", "g/l", StringComparison.Ordinal));
        // Each holds its body until both have read the current version and begun to stream.
        await using var first = new GatedStream(LowVocSample);
        await using var second = new GatedStream(other);
        var publishes = new[]
        {
            publisher.PublishAsync(_rules.LowVoc, first, null, CancellationToken.None),
            publisher.PublishAsync(_rules.LowVoc, second, null, CancellationToken.None),
        };
        await Task.WhenAll(first.Started, second.Started);
        first.Release();
        second.Release();

        var outcomes = await Task.WhenAll(publishes);

        var winner = Assert.Single(outcomes.OfType<PublishOutcome.Published>()).Version;
        Assert.Single(outcomes.OfType<PublishOutcome.Conflict>());
        Assert.Equal([winner.Version], await VersionsOfAsync(_rules.LowVoc));
        Assert.Equal(winner, Assert.Single(await publisher.ListCurrentAsync(CancellationToken.None), list => list.ListId == _rules.LowVoc));
    }

    [Fact]
    public async Task A_publish_that_another_overtook_is_a_conflict_and_does_not_undo_it()
    {
        await using var services = AppServices.Build(azurite, settings: _rules.Settings());
        var publisher = services.GetRequiredService<ProductListPublisher>();
        Assert.IsType<PublishOutcome.Published>(await PublishAsync(publisher, _rules.LowVoc, LowVocSample));
        var other = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(LowVocSample).Replace("g/L", "g/l", StringComparison.Ordinal));
        await using var slow = new GatedStream(other);
        var overtaken = publisher.PublishAsync(_rules.LowVoc, slow, null, CancellationToken.None);
        await slow.Started;

        var winner = Assert.IsType<PublishOutcome.Published>(await PublishAsync(publisher, _rules.LowVoc, other[..^1])).Version;
        slow.Release();

        Assert.IsType<PublishOutcome.Conflict>(await overtaken);
        Assert.Equal(winner, Assert.Single(await publisher.ListCurrentAsync(CancellationToken.None), list => list.ListId == _rules.LowVoc));
        Assert.Equal(2, (await VersionsOfAsync(_rules.LowVoc)).Count);
    }

    [Fact]
    public async Task A_list_uploaded_through_its_sas_url_with_a_plain_http_put_publishes_and_the_upload_is_removed()
    {
        var now = DateTimeOffset.UtcNow;
        await using var services = AppServices.Build(azurite, new FakeTimeProvider(now), _rules.Settings());
        var publisher = services.GetRequiredService<ProductListPublisher>();

        var upload = await publisher.CreateUploadAsync(_rules.Green, CancellationToken.None);

        Assert.NotNull(upload);
        Assert.Equal(now + TimeSpan.FromMinutes(30), upload.ExpiresAt);
        var url = new BlobUriBuilder(new Uri(upload.UploadUrl));
        Assert.Equal((StorageNames.Containers.ProductListsIncoming, $"{_rules.Green}/{upload.Upload}.csv"), (url.BlobContainerName, url.BlobName));
        Assert.Equal("cw", url.Sas.Permissions);
        using var http = new HttpClient();
        using var put = new HttpRequestMessage(HttpMethod.Put, upload.UploadUrl) { Content = new ByteArrayContent(GreenSample) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        put.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        using var uploaded = await http.SendAsync(put);
        Assert.Equal(HttpStatusCode.Created, uploaded.StatusCode);
        // Write-only: the URL reads nothing.
        using var read = await http.GetAsync(upload.UploadUrl);
        Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);

        var published = Assert.IsType<PublishOutcome.Published>(await publisher.PublishUploadAsync(_rules.Green, upload.Upload, CancellationToken.None)).Version;

        Assert.Equal((3060, Sha256(GreenSample)), (published.RowCount, published.Sha256));
        Assert.False(await azurite.Blobs.GetBlobContainerClient(StorageNames.Containers.ProductListsIncoming).GetBlobClient($"{_rules.Green}/{upload.Upload}.csv").ExistsAsync());
        Assert.IsType<PublishOutcome.UploadNotFound>(await publisher.PublishUploadAsync(_rules.Green, upload.Upload, CancellationToken.None));
    }

    [Fact]
    public async Task An_upload_of_another_list_or_never_made_is_not_found()
    {
        await using var services = AppServices.Build(azurite, settings: _rules.Settings());
        var publisher = services.GetRequiredService<ProductListPublisher>();
        var upload = await publisher.CreateUploadAsync(_rules.Green, CancellationToken.None);
        var blob = new BlobClient(new Uri(upload!.UploadUrl));
        await blob.UploadAsync(new BinaryData(GreenSample));

        Assert.IsType<PublishOutcome.UploadNotFound>(await publisher.PublishUploadAsync(_rules.LowVoc, upload.Upload, CancellationToken.None));
        Assert.IsType<PublishOutcome.UploadNotFound>(await publisher.PublishUploadAsync(_rules.Green, "20260101T000000Z-" + new string('0', 32), CancellationToken.None));
        Assert.IsType<PublishOutcome.UploadNotFound>(await publisher.PublishUploadAsync(_rules.Green, "../current", CancellationToken.None));
    }

    public void Dispose() => _rules.Dispose();

    private BlobContainerClient Versions => azurite.Blobs.GetBlobContainerClient(StorageNames.Containers.ProductLists);

    private static async Task<PublishOutcome> PublishAsync(ProductListPublisher publisher, string listId, byte[] csv)
    {
        await using var body = new MemoryStream(csv);
        return await publisher.PublishAsync(listId, body, limitBytes: null, CancellationToken.None);
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private async Task<List<string>> VersionsOfAsync(string listId)
    {
        var versions = new List<string>();
        await foreach (var blob in Versions.GetBlobsAsync(prefix: $"{listId}/versions/"))
        {
            versions.Add(blob.Name[$"{listId}/versions/".Length..^".csv".Length]);
        }

        return versions;
    }
}

/// <summary>A body that holds back its bytes until released, and says when it is first read.</summary>
internal sealed class GatedStream(byte[] bytes) : MemoryStream(bytes)
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Started => _started.Task;

    public void Release() => _released.TrySetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _started.TrySetResult();
        await _released.Task.WaitAsync(cancellationToken);
        return await base.ReadAsync(buffer, cancellationToken);
    }
}
