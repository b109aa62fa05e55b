using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PosGreenPoints.Contracts.ProductLists;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.ProductLists;

/// <summary>
/// The product-list admin API over HTTP. The app's lists are shared with the other tests of the
/// collection, so every test leaves the sample lists current, as it found them or as it published them.
/// </summary>
[Collection(FunctionAppTests.Name)]
public sealed class ProductListApiTests(FunctionAppFixture app)
{
    private const string ProblemJson = "application/problem+json";
    private const string LowVocHeader = "gtin,product_name,category,standard,voc_content,voc_unit,valid_from,valid_to";
    private const long MaxBodyBytes = 25 * 1024 * 1024;

    private static readonly byte[] GreenSample = File.ReadAllBytes(Path.Combine(RepositoryPaths.SampleData, "certified-green.csv"));
    private static readonly byte[] LowVocSample = File.ReadAllBytes(Path.Combine(RepositoryPaths.SampleData, "low-voc.csv"));

    public static TheoryData<string, string, int, string?> BadLists => new()
    {
        // case, CSV, the row and column named first
        { "bad check digit", Lines(LowVocHeader, Row("6952672655443"), Row("6976932876486"), Row("6938699118802")), 2, "gtin" },
        { "overlap", Lines(LowVocHeader, Row("6952672655443", "2024-01-01", "2026-06-30"), Row("6952672655443", "2026-06-30", "2028-06-29")), 2, "gtin" },
        { "bad date", Lines(LowVocHeader, Row("6952672655443", "2024-02-30")), 1, "valid_from" },
        { "from after to", Lines(LowVocHeader, Row("6952672655443", "2026-01-02", "2026-01-01")), 1, "valid_from" },
        { "missing column", Lines("gtin,product_name,category,standard,voc_content,valid_from,valid_to", "6952672655443,森美书桌,清洗剂,GB 38508-2020,19,2024-04-29,2026-04-29"), 0, "voc_unit" },
    };

    [Fact]
    public async Task An_operator_publishes_the_sample_lists_and_reads_them_back_as_current()
    {
        using var client = app.Client();

        // With a BOM the bytes differ and the rows are the same: a new version each time, whatever ran before.
        var withBom = await PutAsync(client, "certified-green", [.. Encoding.UTF8.GetPreamble(), .. GreenSample]);
        Assert.Equal(HttpStatusCode.Created, withBom.Status);
        var green = await PutAsync(client, "certified-green", GreenSample);
        Assert.Equal(HttpStatusCode.Created, green.Status);
        var lowVoc = await PutAsync(client, "low-voc", LowVocSample);
        Assert.True(lowVoc.Status is HttpStatusCode.Created or HttpStatusCode.OK, lowVoc.Status.ToString());

        Assert.Equal(("certified-green", 3060, Sha256(GreenSample)), (green.Version.ListId, green.Version.RowCount, green.Version.Sha256));
        Assert.Equal(("low-voc", 767, Sha256(LowVocSample)), (lowVoc.Version.ListId, lowVoc.Version.RowCount, lowVoc.Version.Sha256));
        Assert.NotEqual(withBom.Version.Version, green.Version.Version);
        Assert.Equal(Sha256([.. Encoding.UTF8.GetPreamble(), .. GreenSample]), withBom.Version.Sha256);

        var again = await PutAsync(client, "certified-green", GreenSample);
        Assert.Equal((HttpStatusCode.OK, green.Version), (again.Status, again.Version));

        Assert.Equal([green.Version, lowVoc.Version], await CurrentAsync(client));
    }

    [Theory]
    [MemberData(nameof(BadLists))]
    public async Task A_bad_list_is_a_400_naming_its_rows_and_the_current_version_stays(string name, string csv, int row, string? column)
    {
        using var client = app.Client();
        await PutAsync(client, "low-voc", LowVocSample);
        var before = await CurrentAsync(client);

        using var response = await client.PutAsync("api/v1/admin/product-lists/low-voc", Csv(Encoding.UTF8.GetBytes(csv)));

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, name);
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("https://posgreenpoints.cn/problems/validation", problem.RootElement.GetProperty("type").GetString());
        var first = problem.RootElement.GetProperty("rowErrors")[0];
        Assert.Equal(row, first.GetProperty("row").GetInt32());
        Assert.Equal(column, first.TryGetProperty("column", out var named) ? named.GetString() : null);
        Assert.False(string.IsNullOrEmpty(first.GetProperty("reason").GetString()));
        Assert.Equal(problem.RootElement.GetProperty("rowErrors").GetArrayLength(), problem.RootElement.GetProperty("rowErrorCount").GetInt32());
        Assert.Equal(before, await CurrentAsync(client));
    }

    [Fact]
    public async Task An_overlap_names_both_rows()
    {
        using var client = app.Client();

        using var response = await client.PutAsync("api/v1/admin/product-lists/low-voc", Csv(Encoding.UTF8.GetBytes(Lines(
            LowVocHeader, Row("6952672655443", "2024-01-01", "2026-06-30"), Row("6976932876485"), Row("6952672655443", "2026-06-30", "2028-06-29")))));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = Assert.Single(problem.RootElement.GetProperty("rowErrors").EnumerateArray());
        Assert.Equal(3, error.GetProperty("row").GetInt32());
        Assert.Contains("row 1", error.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_list_the_rules_do_not_name_is_a_404_on_every_route()
    {
        using var client = app.Client();

        using var put = await client.PutAsync("api/v1/admin/product-lists/energy-grade-1", Csv(LowVocSample));
        using var upload = await client.PostAsync("api/v1/admin/product-lists/energy-grade-1/uploads", null);
        using var publish = await client.PostAsJsonAsync("api/v1/admin/product-lists/energy-grade-1/publish", new ProductListPublish("20260101T000000Z-" + new string('0', 32)));

        Assert.All([put, upload, publish], response =>
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
        });
    }

    [Fact]
    public async Task Only_an_operator_may_publish_or_read_lists()
    {
        var chainId = $"pl-{Guid.NewGuid():N}"[..20];
        await app.RegisterChainAsync(chainId);
        using var pos = app.Client(await app.CreateClientAsync("pos", chainId));
        using var anonymous = app.Client(apiKey: null);

        using var put = await pos.PutAsync("api/v1/admin/product-lists/low-voc", Csv(LowVocSample));
        using var list = await pos.GetAsync("api/v1/admin/product-lists");
        using var upload = await pos.PostAsync("api/v1/admin/product-lists/low-voc/uploads", null);
        using var unauthenticated = await anonymous.PutAsync("api/v1/admin/product-lists/low-voc", Csv(LowVocSample));

        Assert.Equal(
            [HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized],
            new[] { put, list, upload, unauthenticated }.Select(response => response.StatusCode));
    }

    [Fact]
    public async Task A_body_over_25_MiB_is_a_413_whether_or_not_it_says_its_length()
    {
        using var client = app.Client();
        var before = await CurrentAsync(client);

        using var announced = await client.PutAsync("api/v1/admin/product-lists/low-voc", new GeneratedList(MaxBodyBytes + 1, announceLength: true));
        using var streamed = await client.PutAsync("api/v1/admin/product-lists/low-voc", new GeneratedList(MaxBodyBytes + (1024 * 1024), announceLength: false));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, announced.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.Equal(ProblemJson, streamed.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await CurrentAsync(client));
    }

    [Fact]
    public async Task A_body_that_is_not_csv_is_a_415()
    {
        using var client = app.Client();

        using var response = await client.PutAsync("api/v1/admin/product-lists/low-voc", new ByteArrayContent(LowVocSample) { Headers = { ContentType = new("application/x-www-form-urlencoded") } });

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task A_large_list_goes_through_an_upload_url_and_is_published_by_name()
    {
        using var client = app.Client();

        using var created = await client.PostAsync("api/v1/admin/product-lists/low-voc/uploads", null);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.True(created.Headers.CacheControl?.NoStore);
        var upload = (await created.Content.ReadFromJsonAsync<ProductListUpload>())!;
        using (var storage = new HttpClient())
        using (var put = new HttpRequestMessage(HttpMethod.Put, upload.UploadUrl) { Content = new ByteArrayContent(LowVocSample) })
        {
            put.Headers.Add("x-ms-blob-type", "BlockBlob");
            using var stored = await storage.SendAsync(put);
            Assert.Equal(HttpStatusCode.Created, stored.StatusCode);
        }

        using var published = await client.PostAsJsonAsync("api/v1/admin/product-lists/low-voc/publish", new ProductListPublish(upload.Upload));
        using var again = await client.PostAsJsonAsync("api/v1/admin/product-lists/low-voc/publish", new ProductListPublish(upload.Upload));
        using var malformed = await client.PostAsync("api/v1/admin/product-lists/low-voc/publish", new StringContent("{\"upload\":\"../x\"}", Encoding.UTF8, "application/json"));

        Assert.True(published.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, published.StatusCode.ToString());
        var version = (await published.Content.ReadFromJsonAsync<ProductListVersion>())!;
        Assert.Equal(("low-voc", Sha256(LowVocSample)), (version.ListId, version.Sha256));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    private static string Row(string gtin, string validFrom = "2024-04-29", string validTo = "2026-04-29") =>
        $"{gtin},森美书桌,清洗剂,GB 38508-2020,19,g/L,{validFrom},{validTo}";

    private static string Lines(params string[] lines) => string.Join("\r\n", lines) + "\r\n";

    private static ByteArrayContent Csv(byte[] bytes) => new(bytes) { Headers = { ContentType = new("text/csv") { CharSet = "utf-8" } } };

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static async Task<(HttpStatusCode Status, ProductListVersion Version)> PutAsync(HttpClient client, string listId, byte[] csv)
    {
        using var response = await client.PutAsync($"api/v1/admin/product-lists/{listId}", Csv(csv));
        Assert.True(response.IsSuccessStatusCode, $"publishing {listId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<ProductListVersion>())!);
    }

    private static async Task<List<ProductListVersion>> CurrentAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<List<ProductListVersion>>("api/v1/admin/product-lists"))!;

    /// <summary>A low-VOC list of a given size, written as it is sent: 25 MiB never sits in memory.</summary>
    private sealed class GeneratedList(long size, bool announceLength) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var block = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(Row("6952672655443") + "\r\n", 512)));
            var header = Encoding.UTF8.GetBytes(LowVocHeader + "\r\n");
            await stream.WriteAsync(header);
            for (var written = (long)header.Length; written < size; written += block.Length)
            {
                await stream.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, size - written)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = size;
            return announceLength;
        }
    }
}
