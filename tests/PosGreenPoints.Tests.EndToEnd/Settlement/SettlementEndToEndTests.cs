using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Contracts.Settlements;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Settlement;

/// <summary>
/// settlement.md and api.md, "Settlements", over HTTP: receipts posted and scored today by the shared app,
/// then a second runner on the same storage living "tomorrow" (Clock:Offset) settles today on the
/// operator's request, and the chain downloads and checks its file.
/// </summary>
[Collection(FunctionAppTests.Name)]
public sealed class SettlementEndToEndTests(FunctionAppFixture app)
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    [Fact]
    public async Task A_day_settled_tomorrow_downloads_with_matching_hash_and_totals_and_stays_private_to_its_chain()
    {
        var chainId = SampleReceipts.NewChainId("settle");
        var otherChainId = SampleReceipts.NewChainId("other");
        await app.RegisterChainAsync(chainId);
        await app.RegisterChainAsync(otherChainId);
        await app.PublishSampleListsAsync();
        var chainKey = await app.CreateClientAsync("chain", chainId);
        var otherKey = await app.CreateClientAsync("chain", otherChainId);
        using var operatorClient = app.Client();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Shanghai).DateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        var start = DateTimeOffset.UtcNow.AddMinutes(-20);
        var receipts = Enumerable.Range(0, 30).Select(index => SampleReceipts.Receipt(index, chainId, start.AddSeconds(index * 5))).ToList();
        using var posted = await operatorClient.PostAsync("api/v1/receipts/batch", AppApi.Json(new JsonObject { ["receipts"] = new JsonArray([.. receipts]) }));
        var accepted = (await posted.Content.ReadFromJsonAsync<BatchResult>())!.Results.Where(result => result.Status == "accepted").Select(result => result.ReceiptId!).ToList();
        Assert.NotEmpty(accepted);
        var scored = await operatorClient.WaitForScoredAsync(accepted);

        // Today is still open for the app living today.
        using (var open = await operatorClient.PostAsync($"api/v1/admin/settlements/{chainId}/{today}/run", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, open.StatusCode);
        }

        var settings = new Dictionary<string, string?>(FunctionAppFixture.Settings)
        {
            // A day and an hour: "tomorrow" must be past today's end plus the 30-minute grace even when the
            // test runs in the first half hour after midnight in Shanghai.
            ["Clock:Offset"] = "1.01:00:00",
            // Far away, so that only the operator's request settles during the test.
            ["SettlementSchedule"] = "0 0 0 1 1 *",
        };
        await using var tomorrow = await LocalRunnerProcess.StartAsync(RepositoryPaths.FunctionAppDirectory, app.Azurite.ConnectionString, settings);
        using var tomorrowClient = tomorrow.CreateClient();
        tomorrowClient.DefaultRequestHeaders.Add("X-Api-Key", FunctionAppFixture.OperatorKey);

        var manifest = await RunAsync(tomorrowClient, chainId, today);
        var again = await RunAsync(tomorrowClient, chainId, today);

        Assert.Equal(manifest.GeneratedAt, again.GeneratedAt);
        Assert.Equal(manifest.File, again.File);
        Assert.Equal(scored.Sum(receipt => receipt.Points!.Value), manifest.NetPoints);
        Assert.Equal(scored.Sum(receipt => receipt.Lines!.Count), manifest.RowCount);
        Assert.Equal(scored.Count(receipt => receipt.Lines!.Count > 0), manifest.ReceiptCount);
        Assert.Equal(SettlementMoney(scored.Sum(receipt => receipt.Lines!.Sum(line => line.QualifyingAmount))), manifest.QualifyingAmount);

        using var chainClient = app.Client(chainKey);
        var read = await chainClient.GetFromJsonAsync<SettlementManifest>($"api/v1/settlements/{chainId}/{today}");
        Assert.Equal(manifest.File, read!.File);
        var listed = await chainClient.GetFromJsonAsync<List<SettlementManifest>>($"api/v1/settlements/{chainId}?from={today}&to={today}");
        Assert.Equal(manifest.File, Assert.Single(listed!).File);

        using var file = await chainClient.GetAsync($"api/v1/settlements/{chainId}/{today}/file", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        var body = await file.Content.ReadAsByteArrayAsync();
        Assert.Equal("text/csv; charset=utf-8", file.Content.Headers.ContentType!.ToString());
        Assert.Equal("attachment", file.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal(manifest.File.Name, file.Content.Headers.ContentDisposition.FileName?.Trim('"'));
        Assert.NotNull(file.Headers.ETag);
        Assert.Equal(manifest.File.Sha256, Assert.Single(file.Headers.GetValues("X-Content-SHA256")));
        Assert.Equal(manifest.File.Sha256, Convert.ToHexStringLower(SHA256.HashData(body)));
        Assert.Equal(manifest.File.Bytes, body.Length);

        await AssertWorkbookAgreesWithCsvAsync(chainClient, chainId, today, manifest, body);

        // Another chain's key: the same 404 for a settled day, a day not settled and the list.
        using var otherClient = app.Client(otherKey);
        var missingDay = "2020-01-01";
        foreach (var path in new[]
        {
            $"api/v1/settlements/{chainId}/{today}", $"api/v1/settlements/{chainId}/{missingDay}",
            $"api/v1/settlements/{chainId}/{today}/file", $"api/v1/settlements/{chainId}/{missingDay}/file",
            $"api/v1/settlements/{chainId}/{today}/file?format=xlsx",
            $"api/v1/settlements/{chainId}?from={today}&to={today}",
        })
        {
            using var response = await otherClient.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        using var ownMissing = await chainClient.GetAsync($"api/v1/settlements/{chainId}/{missingDay}");
        Assert.Equal(HttpStatusCode.NotFound, ownMissing.StatusCode);
        using var ownMissingWorkbook = await chainClient.GetAsync($"api/v1/settlements/{chainId}/{missingDay}/file?format=xlsx");
        Assert.Equal(HttpStatusCode.NotFound, ownMissingWorkbook.StatusCode);
        using var unknownFormat = await chainClient.GetAsync($"api/v1/settlements/{chainId}/{today}/file?format=xls");
        Assert.Equal(HttpStatusCode.BadRequest, unknownFormat.StatusCode);
        Assert.Contains("\"format\"", await unknownFormat.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_dates_ranges_and_unknown_chains_are_refused()
    {
        var chainId = SampleReceipts.NewChainId("bad");
        await app.RegisterChainAsync(chainId);
        using var client = app.Client();

        using var tooLong = await client.GetAsync($"api/v1/settlements/{chainId}?from=2026-01-01&to=2026-04-03");
        using var reversed = await client.GetAsync($"api/v1/settlements/{chainId}?from=2026-02-01&to=2026-01-31");
        using var badFrom = await client.GetAsync($"api/v1/settlements/{chainId}?from=2026-13-01&to=2026-01-31");
        using var longest = await client.GetAsync($"api/v1/settlements/{chainId}?from=2026-01-01&to=2026-04-02");
        using var badDate = await client.PostAsync($"api/v1/admin/settlements/{chainId}/2026-02-30/run", null);
        using var unknown = await client.PostAsync($"api/v1/admin/settlements/{SampleReceipts.NewChainId("none")}/2026-01-01/run", null);

        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("\"to\"", await tooLong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, reversed.StatusCode);
        Assert.Contains("\"to\"", await reversed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badFrom.StatusCode);
        Assert.Contains("\"from\"", await badFrom.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, longest.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    /// <summary>
    /// settlement.md, "For spreadsheets": the day's workbook, by <c>?format=xlsx</c> and by Accept, read back with
    /// the Open XML SDK's DOM: the CSV's rows with GTINs as text and amounts as numbers, the manifest's totals.
    /// The second download is the cached blob: the same entity tag, and a conditional request is a 304.
    /// </summary>
    private static async Task AssertWorkbookAgreesWithCsvAsync(HttpClient client, string chainId, string day, SettlementManifest manifest, byte[] csv)
    {
        using var first = await client.GetAsync($"api/v1/settlements/{chainId}/{day}/file?format=xlsx");
        Assert.True(first.StatusCode == HttpStatusCode.OK, $"{(int)first.StatusCode} {await first.Content.ReadAsStringAsync()}");
        Assert.Equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", first.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", first.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal(Path.ChangeExtension(manifest.File.Name, ".xlsx"), first.Content.Headers.ContentDisposition.FileName?.Trim('"'));
        Assert.False(first.Headers.Contains("X-Content-SHA256"));
        var etag = first.Headers.ETag!;
        var workbook = await first.Content.ReadAsByteArrayAsync();

        using var byAccept = new HttpRequestMessage(HttpMethod.Get, $"api/v1/settlements/{chainId}/{day}/file");
        byAccept.Headers.Accept.ParseAdd("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        using var second = await client.SendAsync(byAccept);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(etag, second.Headers.ETag);
        Assert.Equal(workbook, await second.Content.ReadAsByteArrayAsync());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"api/v1/settlements/{chainId}/{day}/file?format=xlsx");
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var document = SpreadsheetDocument.Open(new MemoryStream(workbook), isEditable: false);
        var sheets = document.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>().ToList();
        Assert.Equal(["postings", "stores", "summary"], sheets.Select(sheet => sheet.Name!.Value));
        var rows = ((WorksheetPart)document.WorkbookPart.GetPartById(sheets[0].Id!)).Worksheet.GetFirstChild<SheetData>()!.Elements<Row>().ToList();

        var records = CsvFiles.Records(csv);

        Assert.Equal(manifest.RowCount + 2, rows.Count);
        Assert.Equal(records.Count + 1, rows.Count);
        var header = records[0].ToList();
        var (gtin, amount, points) = (header.IndexOf("gtin"), header.IndexOf("qualifying_amount"), header.IndexOf("points"));
        foreach (var (record, row) in records.Skip(1).Zip(rows.Skip(1)))
        {
            var cells = row.Elements<Cell>().ToList();
            if (record[gtin].Length > 0)
            {
                // The samples' 13-digit GTINs in their 14-digit form: a leading zero a number cell would drop.
                Assert.Equal(CellValues.InlineString, cells[gtin].DataType!.Value);
                Assert.Equal(record[gtin], cells[gtin].InlineString!.Text!.Text);
                Assert.StartsWith("0", cells[gtin].InlineString!.Text!.Text, StringComparison.Ordinal);
            }

            Assert.Null(cells[amount].DataType);
            Assert.Equal(decimal.Parse(record[amount], CultureInfo.InvariantCulture), decimal.Parse(cells[amount].CellValue!.Text, CultureInfo.InvariantCulture));
            Assert.Equal(record[points], cells[points].CellValue!.Text);
        }

        var totals = rows[^1].Elements<Cell>().ToList();
        Assert.Equal(decimal.Parse(manifest.QualifyingAmount, CultureInfo.InvariantCulture), decimal.Parse(totals[amount].CellValue!.Text, CultureInfo.InvariantCulture));
        Assert.Equal(manifest.NetPoints, long.Parse(totals[points].CellValue!.Text, CultureInfo.InvariantCulture));
    }

    private static string SettlementMoney(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    private static async Task<SettlementManifest> RunAsync(HttpClient client, string chainId, string day)
    {
        using var response = await client.PostAsync($"api/v1/admin/settlements/{chainId}/{day}/run", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<SettlementManifest>())!;
    }

}
