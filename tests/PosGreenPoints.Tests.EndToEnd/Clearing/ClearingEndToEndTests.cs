using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using PosGreenPoints.Contracts.Activities;
using PosGreenPoints.Contracts.Clearing;
using PosGreenPoints.Contracts.Redemptions;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Clearing;

/// <summary>
/// clearing.md over HTTP: a member credited at chain A spends at chain B; the operator clears that day and each
/// chain downloads its file, the one owing and the other owed the same points × yuanPerPoint.
/// Clearing is scheme-wide, so clearing "today" would freeze today's files for every chain of the shared app (and
/// every later test posting today). The day's postings are made instead by a second runner on the same storage
/// living 30 days ago (Clock:Offset), a day no other test posts on and outside the nightly catch-up window; the
/// shared app, living today, clears that closed day, and refuses today as open.
/// </summary>
[Collection(FunctionAppTests.Name)]
public sealed class ClearingEndToEndTests(FunctionAppFixture app)
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    private const string WorkbookType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    [Fact]
    public async Task A_redemption_at_another_chain_is_owed_by_the_issuer_to_the_redeemer_to_the_fen_and_each_file_stays_its_chains()
    {
        var (issuer, redeemer) = (SampleReceipts.NewChainId("issue"), SampleReceipts.NewChainId("redeem"));
        var memberId = "MC" + Guid.NewGuid().ToString("N")[..12];
        var redemptionId = "CLR-" + Guid.NewGuid().ToString("N")[..12];
        const long Points = 370;

        var settings = new Dictionary<string, string?>(FunctionAppFixture.Settings)
        {
            ["Clock:Offset"] = "-30.00:00:00",
            // Far away: nothing of the past runner's own runs during the test.
            ["SettlementSchedule"] = "0 0 0 1 1 *",
            ["ClearingSchedule"] = "0 0 0 1 1 *",
            ["ExpirySchedule"] = "0 0 0 1 1 *",
            ["HoldsSchedule"] = "0 0 0 1 1 *",
        };
        string issuerKey, redeemerKey, posKey;
        RedemptionView redemption;
        await using (var past = await LocalRunnerProcess.StartAsync(RepositoryPaths.FunctionAppDirectory, app.Azurite.ConnectionString, settings))
        {
            using var pastOperator = past.CreateClient();
            pastOperator.DefaultRequestHeaders.Add("X-Api-Key", FunctionAppFixture.OperatorKey);
            await pastOperator.RegisterChainAsync(issuer);
            await pastOperator.RegisterChainAsync(redeemer);
            issuerKey = await pastOperator.CreateClientAsync("chain", issuer);
            redeemerKey = await pastOperator.CreateClientAsync("chain", redeemer);
            posKey = await pastOperator.CreateClientAsync("pos", redeemer);
            var appKey = await pastOperator.CreateClientAsync("app");

            // Earned at A: an operator credit, available at once, in a lot A issued.
            using (var credit = await pastOperator.PostAsJsonAsync($"api/v1/admin/members/{memberId}/adjustments", new AdjustmentRequest("ADJ-CLR-1", issuer, 1000, "clearing test credit")))
            {
                Assert.True(credit.StatusCode == HttpStatusCode.Created, $"{(int)credit.StatusCode} {await credit.Content.ReadAsStringAsync()}");
            }

            using var appClient = past.CreateClient();
            appClient.DefaultRequestHeaders.Add("X-Api-Key", appKey);
            using var issued = await appClient.PostAsync($"api/v1/members/{memberId}/codes", null);
            Assert.True(issued.StatusCode == HttpStatusCode.Created, $"{(int)issued.StatusCode} {await issued.Content.ReadAsStringAsync()}");
            var code = (await issued.Content.ReadFromJsonAsync<MemberCodeIssued>())!.Code;

            // Spent at B's till in one call.
            using var posClient = past.CreateClient();
            posClient.DefaultRequestHeaders.Add("X-Api-Key", posKey);
            using var reserved = await posClient.PostAsJsonAsync(
                "api/v1/redemptions",
                new RedemptionRequest(redeemer, "RB-0001", "POS-01", redemptionId, code, null, Points, RedemptionPurposes.Discount, Commit: true, null));
            Assert.True(reserved.StatusCode == HttpStatusCode.Created, $"{(int)reserved.StatusCode} {await reserved.Content.ReadAsStringAsync()}");
            redemption = (await reserved.Content.ReadFromJsonAsync<RedemptionView>())!;
        }

        Assert.Equal(RedemptionStatuses.Committed, redemption.Status);
        Assert.Equal([new RedemptionSourceView(issuer, Points)], redemption.Sources);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(redemption.CommittedAt!.Value, Shanghai).DateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Shanghai).DateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        // The independent figure: points × the value recorded with the redemption, in fen, an integer.
        var valueFen = Points * (long)(decimal.Parse(redemption.YuanPerPoint, CultureInfo.InvariantCulture) * 100);
        var owed = Money(valueFen);

        using var operatorClient = app.Client();
        using (var open = await operatorClient.PostAsync($"api/v1/admin/clearing/{today}/run", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, open.StatusCode);
            Assert.Equal("application/problem+json", open.Content.Headers.ContentType!.MediaType);
        }

        using (var notYet = await operatorClient.GetAsync($"api/v1/admin/clearing/{day}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, notYet.StatusCode);
        }

        var report = await RunAsync(operatorClient, day);
        var again = await RunAsync(operatorClient, day);
        Assert.Equal("0.00", report.TotalNet);
        Assert.Equal(report.Chains, again.Chains);
        Assert.Equal(report.Chains, (await operatorClient.GetFromJsonAsync<ClearingReport>($"api/v1/admin/clearing/{day}"))!.Chains);
        Assert.Equal(new ClearingReportChain(issuer, Money(-valueFen), "0.00", owed), Assert.Single(report.Chains, chain => chain.ChainId == issuer));
        Assert.Equal(new ClearingReportChain(redeemer, owed, owed, "0.00"), Assert.Single(report.Chains, chain => chain.ChainId == redeemer));

        using var redeemerClient = app.Client(redeemerKey);
        using var issuerClient = app.Client(issuerKey);
        var redeemerManifest = (await redeemerClient.GetFromJsonAsync<ClearingManifest>($"api/v1/clearing/{redeemer}/{day}"))!;
        var issuerManifest = (await issuerClient.GetFromJsonAsync<ClearingManifest>($"api/v1/clearing/{issuer}/{day}"))!;
        // B's receivable from A is A's payable to B: the redemption's value.
        Assert.Equal([new ClearingCounterparty(issuer, owed, "0.00", owed)], redeemerManifest.Counterparties);
        Assert.Equal([new ClearingCounterparty(redeemer, "0.00", owed, Money(-valueFen))], issuerManifest.Counterparties);
        Assert.Equal((owed, "0.00", owed), (redeemerManifest.Receivable, redeemerManifest.Payable, redeemerManifest.Net));
        Assert.Equal(("0.00", owed, Money(-valueFen)), (issuerManifest.Receivable, issuerManifest.Payable, issuerManifest.Net));
        Assert.Equal(Points, redeemerManifest.PointsRedeemedHere);
        Assert.Equal(1000, issuerManifest.PointsIssued);
        Assert.Equal(1000 - Points, issuerManifest.OutstandingPoints);
        Assert.Equal(redeemerManifest.File, Assert.Single((await redeemerClient.GetFromJsonAsync<List<ClearingManifest>>($"api/v1/clearing/{redeemer}?from={day}&to={day}"))!).File);

        var redeemerCsv = await AssertCsvDownloadAsync(redeemerClient, redeemer, day, redeemerManifest);
        var issuerCsv = await AssertCsvDownloadAsync(issuerClient, issuer, day, issuerManifest);
        var redeemerRow = Assert.Single(redeemerCsv);
        var issuerRow = Assert.Single(issuerCsv);
        Assert.Equal(
            [day, redeemer, issuer, "receivable", "redemption", redemptionId, "RB-0001", "POS-01", $"{Points}", redemption.YuanPerPoint, owed],
            Fields(redeemerRow, "clearing_date", "chain_id", "counterparty_chain_id", "direction", "kind", "reference", "store_id", "terminal_id", "points", "yuan_per_point", "amount"));
        Assert.Equal(
            [day, issuer, redeemer, "payable", "redemption", redemptionId, "RB-0001", "POS-01", $"{-Points}", redemption.YuanPerPoint, Money(-valueFen)],
            Fields(issuerRow, "clearing_date", "chain_id", "counterparty_chain_id", "direction", "kind", "reference", "store_id", "terminal_id", "points", "yuan_per_point", "amount"));
        Assert.Equal(redeemerRow["lot_id"], issuerRow["lot_id"]);
        // Each chain's own pseudonym of the member, never the member id.
        Assert.NotEqual(redeemerRow["member_ref"], issuerRow["member_ref"]);
        Assert.DoesNotContain(memberId, Encoding.UTF8.GetString(await (await redeemerClient.GetAsync($"api/v1/clearing/{redeemer}/{day}/file")).Content.ReadAsByteArrayAsync()), StringComparison.Ordinal);

        await AssertWorkbookAgreesWithCsvAsync(redeemerClient, redeemer, day, redeemerManifest);

        // A chain key asking for another chain's clearing: the same 404 as for a chain that does not exist.
        foreach (var path in new[]
        {
            $"api/v1/clearing/{redeemer}/{day}", $"api/v1/clearing/{redeemer}/{day}/file", $"api/v1/clearing/{redeemer}/{day}/file?format=xlsx",
            $"api/v1/clearing/{redeemer}?from={day}&to={day}",
        })
        {
            using var response = await issuerClient.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
        }

        // Other roles: the pos key of the very chain, and a chain key at the operator's report and run.
        using var posOnMain = app.Client(posKey);
        using (var byPos = await posOnMain.GetAsync($"api/v1/clearing/{redeemer}/{day}/file"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, byPos.StatusCode);
        }

        using (var reportByChain = await redeemerClient.GetAsync($"api/v1/admin/clearing/{day}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, reportByChain.StatusCode);
        }

        using (var runByChain = await redeemerClient.PostAsync($"api/v1/admin/clearing/{day}/run", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, runByChain.StatusCode);
        }

        using (var badDate = await operatorClient.PostAsync("api/v1/admin/clearing/2026-02-30/run", null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
        }

        using (var unknownFormat = await redeemerClient.GetAsync($"api/v1/clearing/{redeemer}/{day}/file?format=xls"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknownFormat.StatusCode);
            Assert.Contains("\"format\"", await unknownFormat.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    /// <summary>The CSV: streamed with its ETag (a conditional GET is a 304) and X-Content-SHA256, the SHA-256 of exactly the bytes sent.</summary>
    private static async Task<List<Dictionary<string, string>>> AssertCsvDownloadAsync(HttpClient client, string chainId, string day, ClearingManifest manifest)
    {
        using var file = await client.GetAsync($"api/v1/clearing/{chainId}/{day}/file", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        var body = await file.Content.ReadAsByteArrayAsync();
        Assert.Equal("text/csv; charset=utf-8", file.Content.Headers.ContentType!.ToString());
        Assert.Equal(manifest.File.Name, file.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        Assert.Equal($"{chainId}-{day.Replace("-", "", StringComparison.Ordinal)}.clearing.csv", manifest.File.Name);
        var etag = file.Headers.ETag;
        Assert.NotNull(etag);
        Assert.Equal(manifest.File.Sha256, Assert.Single(file.Headers.GetValues("X-Content-SHA256")));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(body)), manifest.File.Sha256);
        Assert.Equal(manifest.File.Bytes, body.Length);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"api/v1/clearing/{chainId}/{day}/file");
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        var records = CsvFiles.Records(body);
        Assert.Equal(
            ["clearing_date", "chain_id", "counterparty_chain_id", "direction", "kind", "reference", "lot_id", "store_id", "terminal_id", "member_ref", "points", "yuan_per_point", "amount"],
            records[0]);
        Assert.Equal(manifest.RowCount, records.Count - 1);
        return [.. records.Skip(1).Select(record => records[0].Zip(record).ToDictionary(pair => pair.First, pair => pair.Second))];
    }

    /// <summary>
    /// The chain's workbook by <c>?format=xlsx</c> and by Accept, read back with the Open XML SDK's DOM: the CSV's rows
    /// with ids as text and points and amounts as numbers, a totals row equal to the manifest's net, the counterparties
    /// and summary sheets. The second download is the cached blob: the same entity tag, and a conditional GET is a 304.
    /// </summary>
    private static async Task AssertWorkbookAgreesWithCsvAsync(HttpClient client, string chainId, string day, ClearingManifest manifest)
    {
        var csv = await client.GetByteArrayAsync($"api/v1/clearing/{chainId}/{day}/file");
        using var first = await client.GetAsync($"api/v1/clearing/{chainId}/{day}/file?format=xlsx");
        Assert.True(first.StatusCode == HttpStatusCode.OK, $"{(int)first.StatusCode} {await first.Content.ReadAsStringAsync()}");
        Assert.Equal(WorkbookType, first.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Path.ChangeExtension(manifest.File.Name, ".xlsx"), first.Content.Headers.ContentDisposition!.FileName?.Trim('"'));
        Assert.False(first.Headers.Contains("X-Content-SHA256"));
        var etag = first.Headers.ETag!;
        var workbook = await first.Content.ReadAsByteArrayAsync();

        using var byAccept = new HttpRequestMessage(HttpMethod.Get, $"api/v1/clearing/{chainId}/{day}/file");
        byAccept.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(WorkbookType));
        using var second = await client.SendAsync(byAccept);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(etag, second.Headers.ETag);
        Assert.Equal(workbook, await second.Content.ReadAsByteArrayAsync());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, $"api/v1/clearing/{chainId}/{day}/file?format=xlsx");
        conditional.Headers.IfNoneMatch.Add(etag);
        using var notModified = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        using var document = SpreadsheetDocument.Open(new MemoryStream(workbook), isEditable: false);
        var sheets = document.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>().ToList();
        Assert.Equal(["entries", "counterparties", "summary"], sheets.Select(sheet => sheet.Name!.Value));
        List<Row> RowsOf(Sheet sheet) => [.. ((WorksheetPart)document.WorkbookPart.GetPartById(sheet.Id!)).Worksheet.GetFirstChild<SheetData>()!.Elements<Row>()];

        var records = CsvFiles.Records(csv);
        var rows = RowsOf(sheets[0]);
        Assert.Equal(records.Count + 1, rows.Count);
        var header = records[0].ToList();
        var numbers = new[] { header.IndexOf("points"), header.IndexOf("yuan_per_point"), header.IndexOf("amount") };
        foreach (var (record, row) in records.Zip(rows))
        {
            var cells = row.Elements<Cell>().ToList();
            Assert.Equal(record.Length, cells.Count);
            for (var column = 0; column < record.Length; column++)
            {
                if (numbers.Contains(column) && !ReferenceEquals(record, records[0]))
                {
                    Assert.Null(cells[column].DataType);
                    Assert.Equal(decimal.Parse(record[column], CultureInfo.InvariantCulture), decimal.Parse(cells[column].CellValue!.Text, CultureInfo.InvariantCulture));
                }
                else
                {
                    Assert.Equal(CellValues.InlineString, cells[column].DataType!.Value);
                    Assert.Equal(record[column], cells[column].InlineString!.Text!.Text);
                }
            }
        }

        var totals = rows[^1].Elements<Cell>().ToList();
        Assert.Equal(manifest.Net, decimal.Parse(totals[header.IndexOf("amount")].CellValue!.Text, CultureInfo.InvariantCulture).ToString("0.00", CultureInfo.InvariantCulture));

        string Value(Cell cell) => cell.DataType is null ? cell.CellValue!.Text : cell.InlineString!.Text!.Text;
        var counterparties = RowsOf(sheets[1]).Skip(1).Select(row => row.Elements<Cell>().Select(Value).ToList()).ToList();
        Assert.Equal(
            manifest.Counterparties.Select(counterparty => new List<string> { counterparty.ChainId, counterparty.Receivable, counterparty.Payable, counterparty.Net })
                .Append(["total", manifest.Receivable, manifest.Payable, manifest.Net]),
            counterparties.Select(row => row.Select((cell, index) => index == 0 ? cell : decimal.Parse(cell, CultureInfo.InvariantCulture).ToString("0.00", CultureInfo.InvariantCulture)).ToList()));
        var summary = RowsOf(sheets[2]).Skip(1).ToDictionary(row => Value(row.Elements<Cell>().First()), row => Value(row.Elements<Cell>().Last()));
        Assert.Equal(manifest.File.Sha256, summary["file.sha256"]);
        Assert.Equal(day, summary["clearingDate"]);
        Assert.Equal(chainId, summary["chainId"]);
    }

    private static async Task<ClearingReport> RunAsync(HttpClient client, string day)
    {
        using var response = await client.PostAsync($"api/v1/admin/clearing/{day}/run", null);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<ClearingReport>())!;
    }

    private static List<string> Fields(Dictionary<string, string> row, params string[] names) => [.. names.Select(name => row[name])];

    private static string Money(long fen) => (fen / 100m).ToString("0.00", CultureInfo.InvariantCulture);
}
