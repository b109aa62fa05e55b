using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Contracts.Settlements;
using PosGreenPoints.Tests.EndToEnd.Scoring;
using PosGreenPoints.Tests.Fixtures;
using Xunit.Abstractions;

namespace PosGreenPoints.Tests.EndToEnd.Faults;

/// <summary>
/// What every fault test needs for itself: an Azurite of its own (on disk when it is to be stopped and
/// started again), the runner processes it starts, kills and restarts against it, a chain with the sample
/// lists and a POS key; and the checks every fault must leave true (the spec's operations.md,
/// "Reliability targets"): each acknowledged receipt scored once, member balances equal to their receipts' points, the
/// ledger equal to the receipts, a settlement file equal to the ledger. The app is a black box here: its
/// HTTP API, and the storage that the spec describes (the ledger table, the settlement container, the
/// events queue).
/// </summary>
internal sealed class FaultScenario : IAsyncDisposable
{
    /// <summary>StorageNames.Tables.Ledger: one partition per chain and posting day, <c>{chainId}!{yyyyMMdd}</c>.</summary>
    public const string LedgerTable = "Ledger";

    /// <summary>StorageNames.Queues.ReceiptsToScore.</summary>
    public const string ScoringQueue = "receipts-to-score";

    /// <summary>Where the host moves a scoring message that failed maxDequeueCount times (host.json).</summary>
    public const string PoisonQueue = ScoringQueue + "-poison";

    /// <summary>StorageNames.Containers.Settlements.</summary>
    public const string SettlementsContainer = "settlements";

    /// <summary>StorageNames.Queues.Events: where events go when no Service Bus is configured.</summary>
    public const string EventsQueue = "greenpoints-events";

    /// <summary>rules.json <c>maxPointsPerMemberPerDay</c>.</summary>
    public const long MemberDailyCap = 20000;

    /// <summary>
    /// How long a message a runner received stays invisible (renewed at half time): the runner's
    /// LocalRunner:ProcessingVisibility. The host's 10 minutes would hide the messages of a killed runner
    /// for 10 minutes; 8 s brings them back while the test waits, and leaves a live runner 4 s to renew.
    /// </summary>
    public static readonly TimeSpan ProcessingVisibility = TimeSpan.FromSeconds(8);

    /// <summary>A runner that serves the API and timers but does not score: statuses hold still while it is the only runner.</summary>
    public static readonly IReadOnlyDictionary<string, string?> ScoringDisabled = new Dictionary<string, string?> { ["AzureWebJobs.ScoreReceipts.Disabled"] = "true" };

    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly Lazy<IndependentPoints> Rules = new(() => new IndependentPoints());

    private readonly List<LocalRunnerProcess> _runners = [];
    private readonly string? _dataFolder;
    private readonly ITestOutputHelper _output;
    private readonly Stopwatch _elapsed = Stopwatch.StartNew();

    private FaultScenario(AzuriteFixture azurite, string? dataFolder, ITestOutputHelper output)
    {
        Azurite = azurite;
        _dataFolder = dataFolder;
        _output = output;
    }

    public AzuriteFixture Azurite { get; }

    /// <summary>The chains <see cref="SetUpAsync"/> registered, each of this test alone.</summary>
    public IReadOnlyList<string> Chains { get; private set; } = [];

    /// <summary>A <c>pos</c> key for every chain of <see cref="Chains"/>.</summary>
    public string PosKey { get; private set; } = "";

    /// <param name="output">Where the test's steps are logged with their times: what a failure, or a slow run, is read from.</param>
    /// <param name="storageOnDisk">An Azurite that keeps its data in a folder, so that it can be stopped and started again without losing it.</param>
    public static async Task<FaultScenario> StartAsync(ITestOutputHelper output, bool storageOnDisk = false)
    {
        var folder = storageOnDisk ? Directory.CreateTempSubdirectory("posgreenpoints-faults-").FullName : null;
        var scenario = new FaultScenario(folder is null ? new AzuriteFixture() : AzuriteFixture.WithDataFolder(folder), folder, output);
        try
        {
            await scenario.Azurite.StartAsync();
            scenario.Log("Azurite started");
            return scenario;
        }
        catch
        {
            await scenario.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts a runner of the app against this test's Azurite; <paramref name="settings"/> go over the end-to-end settings.</summary>
    public async Task<LocalRunnerProcess> StartRunnerAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(FunctionAppFixture.Settings)
        {
            ["LocalRunner:ProcessingVisibility"] = ProcessingVisibility.ToString("c", CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            all[name] = value;
        }

        var runner = await LocalRunnerProcess.StartAsync(RepositoryPaths.FunctionAppDirectory, Azurite.ConnectionString, all);
        lock (_runners)
        {
            _runners.Add(runner);
        }

        Log($"runner started at {runner.BaseAddress}{(settings is { Count: > 0 } ? " with " + string.Join(", ", settings.Select(setting => $"{setting.Key}={setting.Value}")) : "")}");
        return runner;
    }

    /// <summary>Ends a runner the test is done with, once nothing is in flight in it (the runner has no stop from outside but a kill).</summary>
    public async Task StopRunnerAsync(LocalRunnerProcess runner)
    {
        await runner.DisposeAsync();
        lock (_runners)
        {
            _runners.Remove(runner);
        }
    }

    public static HttpClient Client(LocalRunnerProcess runner, string apiKey)
    {
        var client = runner.CreateClient();
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    public static HttpClient OperatorClient(LocalRunnerProcess runner) => Client(runner, FunctionAppFixture.OperatorKey);

    public HttpClient PosClient(LocalRunnerProcess runner) => Client(runner, PosKey);

    /// <summary>As an operator would: registers <paramref name="chainCount"/> chains (Asia/Shanghai), publishes the sample lists, creates a POS key.</summary>
    public async Task SetUpAsync(LocalRunnerProcess runner, int chainCount = 1)
    {
        using var client = OperatorClient(runner);
        var chains = Enumerable.Range(0, chainCount).Select(_ => SampleReceipts.NewChainId("fault")).ToList();
        foreach (var chainId in chains)
        {
            await client.RegisterChainAsync(chainId);
        }

        await client.PublishSampleListsAsync();
        PosKey = await client.CreateClientAsync("pos", [.. chains]);
        Chains = chains;
        Log($"set up {string.Join(", ", chains)} with the sample lists and a POS key");
    }

    /// <summary>Member ids no other test uses, so that a balance holds this test's receipts only.</summary>
    public static IReadOnlyList<string> NewMembers(int count) =>
        Enumerable.Range(0, count).Select(_ => "FM" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant()).ToList();

    /// <summary>
    /// <paramref name="count"/> sales of 1–3 lines, every line a product on a sample list today, spread over
    /// three stores and round-robin over <paramref name="members"/>; issued a few minutes ago.
    /// <paramref name="pointsPerReceipt"/> steers the size: each receipt earns roughly that many points
    /// before caps (50–150 % of it), well under the receipt cap.
    /// </summary>
    public static IReadOnlyList<JsonObject> Receipts(string chainId, int count, IReadOnlyList<string> members, string prefix, int pointsPerReceipt = 600)
    {
        var issuedAt = DateTimeOffset.UtcNow.AddMinutes(-3).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
        var gtins = GreenGtins.Value;
        var receipts = new List<JsonObject>(count);
        for (var index = 0; index < count; index++)
        {
            var lineCount = 1 + (index % 3);
            var lines = new JsonArray();
            var total = 0m;
            for (var line = 1; line <= lineCount; line++)
            {
                var (gtin, rate) = gtins[((index * 7) + (line * 13)) % gtins.Count];
                // Varied amounts, so that a capped receipt is cut mid-line rather than at a round number.
                var share = pointsPerReceipt * (50 + ((index * 37) + (line * 53)) % 101) / 100m / lineCount;
                var amount = Math.Round(share / rate, 2) + 0.37m;
                total += amount;
                lines.Add(new JsonObject
                {
                    ["lineNumber"] = line, ["gtin"] = gtin, ["quantity"] = 1, ["unitPrice"] = amount, ["discount"] = 0m, ["amount"] = amount,
                });
            }

            receipts.Add(new JsonObject
            {
                ["chainId"] = chainId, ["storeId"] = $"SH-{index % 3:D4}", ["terminalId"] = $"POS-{index % 2 + 1:D2}",
                ["receiptNumber"] = $"{prefix}-{index:D6}", ["issuedAt"] = issuedAt, ["currency"] = "CNY", ["type"] = "sale",
                ["memberId"] = members[index % members.Count], ["lines"] = lines, ["total"] = total,
            });
        }

        return receipts;
    }

    /// <summary>The id a receipt gets (decisions.md, "Receipt ids"): its natural key, with the business date in Asia/Shanghai.</summary>
    public static string ReceiptId(JsonObject receipt) =>
        string.Join('~', (string)receipt["chainId"]!, (string)receipt["storeId"]!, IndependentPoints.BusinessDate(receipt).ToString("yyyyMMdd", CultureInfo.InvariantCulture), (string)receipt["terminalId"]!, (string)receipt["receiptNumber"]!);

    /// <summary>The receipt's points by the rules, before the member daily cap (independent of the app's code).</summary>
    public static long UncappedPoints(JsonObject receipt) => Rules.Value.Score(receipt).Sum(line => line.Points);

    /// <summary>One batch post and what became of it; never throws for an HTTP answer, as fault tests judge the answers.</summary>
    public static async Task<BatchAttempt> TryPostBatchAsync(HttpClient client, IReadOnlyList<JsonObject> receipts)
    {
        var started = Stopwatch.GetTimestamp();
        var body = new JsonObject { ["receipts"] = new JsonArray([.. receipts.Select(receipt => receipt.DeepClone())]) };
        try
        {
            using var response = await client.PostAsync("api/v1/receipts/batch", AppApi.Json(body));
            var text = await response.Content.ReadAsStringAsync();
            var results = response.StatusCode == HttpStatusCode.OK ? JsonSerializer.Deserialize<BatchResult>(text, JsonSerializerOptions.Web)!.Results : null;
            return new BatchAttempt(receipts, response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.RetryAfter, text, results, null, Stopwatch.GetElapsedTime(started));
        }
        catch (HttpRequestException failure)
        {
            return new BatchAttempt(receipts, null, null, null, "", null, failure, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>Posts a batch that must be acknowledged in full (every item accepted, or a duplicate of an acknowledged one).</summary>
    public static async Task<IReadOnlyList<string>> PostAcknowledgedAsync(HttpClient client, IReadOnlyList<JsonObject> receipts)
    {
        var attempt = await TryPostBatchAsync(client, receipts);
        Assert.True(attempt.IsAcknowledged, $"posting {receipts.Count} receipts: {attempt}");
        return attempt.ReceiptIds;
    }

    /// <summary>The receipts' statuses, read a few at a time; null for a receipt the app does not have (404).</summary>
    public static async Task<IReadOnlyDictionary<string, ReceiptStatusView?>> StatusesAsync(HttpClient client, IEnumerable<string> receiptIds)
    {
        var statuses = new Dictionary<string, ReceiptStatusView?>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(receiptIds.Distinct(StringComparer.Ordinal), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (receiptId, token) =>
        {
            using var response = await client.GetAsync($"api/v1/receipts/{Uri.EscapeDataString(receiptId)}", token);
            ReceiptStatusView? status = null;
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"reading {receiptId}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(token)}");
                status = await response.Content.ReadFromJsonAsync<ReceiptStatusView>(token);
            }

            lock (statuses)
            {
                statuses[receiptId] = status;
            }
        });
        return statuses;
    }

    /// <summary>
    /// Waits until every receipt is scored; fails at once on a receipt that failed or does not exist, or
    /// after <paramref name="patience"/>. The statuses are read when the scoring queue has emptied, and
    /// every 10 s besides: reading hundreds of statuses in a loop would take the CPU the scorers need.
    /// </summary>
    public async Task<IReadOnlyList<ReceiptStatusView>> WaitForScoredAsync(HttpClient client, IReadOnlyList<string> receiptIds, TimeSpan patience)
    {
        var started = Stopwatch.GetTimestamp();
        var queue = Azurite.Queues.GetQueueClient(ScoringQueue);
        var scored = new Dictionary<string, ReceiptStatusView>(StringComparer.Ordinal);
        var wanted = receiptIds.Distinct(StringComparer.Ordinal).Count();
        var readEvery = TimeSpan.FromSeconds(10);
        var lastRead = TimeSpan.Zero;
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed - lastRead >= readEvery || await IsEmptyAsync(queue))
            {
                lastRead = elapsed;
                var statuses = await StatusesAsync(client, receiptIds.Where(receiptId => !scored.ContainsKey(receiptId)));
                foreach (var (receiptId, status) in statuses)
                {
                    Assert.True(status is not null, $"acknowledged receipt {receiptId} does not exist");
                    Assert.True(status.Status != ReceiptStatuses.Failed, $"receipt {receiptId} failed: {string.Join("; ", status.Notes)}{Environment.NewLine}{RunnerOutput()}");
                    if (status.Status == ReceiptStatuses.Scored)
                    {
                        scored[receiptId] = status;
                    }
                }

                if (scored.Count == wanted)
                {
                    Log($"{wanted} receipts scored");
                    return receiptIds.Select(receiptId => scored[receiptId]).ToList();
                }
            }

            Assert.True(elapsed < patience, $"{wanted - scored.Count} of {wanted} receipts not scored within {patience}{Environment.NewLine}{RunnerOutput()}");
            await Task.Delay(200);
        }
    }

    private static async Task<bool> IsEmptyAsync(Azure.Storage.Queues.QueueClient queue)
    {
        try
        {
            // Counts invisible messages too: zero means every message was completed.
            return (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0;
        }
        catch (RequestFailedException)
        {
            return false;
        }
    }

    /// <summary>Every ledger posting of a chain, all days.</summary>
    public async Task<IReadOnlyList<LedgerRow>> LedgerAsync(string chainId)
    {
        var table = Azurite.Tables.GetTableClient(LedgerTable);
        // '!' separates the chain from the day and '"' is the next character: the range is exactly this chain's partitions.
        var filter = TableClient.CreateQueryFilter($"PartitionKey gt {chainId + "!"} and PartitionKey lt {chainId + "\""}");
        var rows = new List<LedgerRow>();
        try
        {
            await foreach (var entity in table.QueryAsync<TableEntity>(filter))
            {
                rows.Add(new LedgerRow(
                    DateOnly.ParseExact(entity.PartitionKey[(chainId.Length + 1)..], "yyyyMMdd", CultureInfo.InvariantCulture),
                    entity.RowKey,
                    entity.GetString("ReceiptId"),
                    entity.GetString("MemberId"),
                    entity.GetInt64("Points") ?? throw new InvalidDataException($"Ledger row {entity.PartitionKey}/{entity.RowKey} has no Points."),
                    decimal.Parse(entity.GetString("QualifyingAmount") ?? "0", CultureInfo.InvariantCulture)));
            }
        }
        catch (RequestFailedException failure) when (failure.Status == 404)
        {
            // No receipt scored yet: the app creates the table with its first posting.
        }

        return rows;
    }

    /// <summary>
    /// The books of one chain balance: every receipt scored, each receipt's ledger rows sum to its points
    /// (one row per qualifying line, none for receipts of other tests or twice on two days), the ledger
    /// sums to the receipts, each member's balance is the sum of that member's receipts, and no scoring
    /// message gave up (the poison queue is empty).
    /// </summary>
    /// <returns>The chain's ledger.</returns>
    public async Task<IReadOnlyList<LedgerRow>> AssertBooksBalanceAsync(HttpClient client, string chainId, IReadOnlyList<ReceiptStatusView> receipts)
    {
        Assert.All(receipts, receipt => Assert.Equal(ReceiptStatuses.Scored, receipt.Status));
        var ledger = await LedgerAsync(chainId);
        var byReceipt = ledger.GroupBy(row => row.ReceiptId ?? "", StringComparer.Ordinal).ToDictionary(group => group.Key, group => group.ToList(), StringComparer.Ordinal);
        Assert.Empty(byReceipt.Keys.Except(receipts.Select(receipt => receipt.ReceiptId), StringComparer.Ordinal));
        foreach (var receipt in receipts)
        {
            var rows = byReceipt.GetValueOrDefault(receipt.ReceiptId) ?? [];
            Assert.True(receipt.Points == rows.Sum(row => row.Points), $"receipt {receipt.ReceiptId}: {receipt.Points} points, its ledger rows {rows.Sum(row => row.Points)}");
            Assert.True(receipt.Lines!.Count == rows.Count, $"receipt {receipt.ReceiptId}: {receipt.Lines!.Count} scored lines, {rows.Count} ledger rows");
            Assert.True(rows.Select(row => row.PostingDate).Distinct().Count() <= 1, $"receipt {receipt.ReceiptId} is posted on more than one day");
        }

        Assert.Equal(receipts.Sum(receipt => receipt.Points!.Value), ledger.Sum(row => row.Points));
        foreach (var member in receipts.GroupBy(receipt => receipt.MemberId!))
        {
            var points = member.Sum(receipt => receipt.Points!.Value);
            using var answer = await client.GetAsync($"api/v1/members/{member.Key}/points");
            if (points == 0)
            {
                // Nothing earned, nothing posted to the wallet: the same 404 as an unknown member.
                Assert.Equal(System.Net.HttpStatusCode.NotFound, answer.StatusCode);
                continue;
            }

            var balance = (await answer.Content.ReadFromJsonAsync<MemberPointsView>())!;
            Assert.True(points == balance.Balance, $"member {member.Key}: balance {balance.Balance}, receipts {points}");
            Assert.Equal(balance.Balance, balance.Earned);
        }

        var poison = Azurite.Queues.GetQueueClient(PoisonQueue);
        if (await poison.ExistsAsync())
        {
            var poisoned = (await poison.PeekMessagesAsync(32)).Value;
            Assert.True(poisoned.Length == 0, $"{poisoned.Length} scoring messages went to {PoisonQueue}: {string.Join(" | ", poisoned.Select(message => message.Body.ToString()))}");
        }

        Log($"books balance: {receipts.Count} receipts, {ledger.Count} ledger rows, {receipts.Sum(receipt => receipt.Points)} points, {receipts.Select(receipt => receipt.MemberId).Distinct().Count()} members");
        return ledger;
    }

    /// <summary>
    /// Settles every posting day of the chain's ledger as an operator would, from a runner living after
    /// those days (Clock:Offset), and checks each manifest and file against the ledger.
    /// </summary>
    public async Task AssertSettlementEqualsLedgerAsync(string chainId, IReadOnlyList<LedgerRow> ledger)
    {
        var days = ledger.Select(row => row.PostingDate).Distinct().Order().ToList();
        Assert.NotEmpty(days);
        var later = await StartRunnerAsync(new Dictionary<string, string?>(ScoringDisabled)
        {
            ["Clock:Offset"] = OffsetToAfter(days[^1]).ToString("c", CultureInfo.InvariantCulture),
            // The operator's run settles; the timer has a test of its own.
            ["AzureWebJobs.SettleYesterday.Disabled"] = "true",
        });
        using var client = OperatorClient(later);
        foreach (var day in days)
        {
            using var response = await client.PostAsync($"api/v1/admin/settlements/{chainId}/{day:yyyy-MM-dd}/run", null);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"settling {day}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var manifest = (await response.Content.ReadFromJsonAsync<SettlementManifest>())!;
            await AssertSettlementFileEqualsLedgerAsync(client, manifest, ledger.Where(row => row.PostingDate == day).ToList());
            Log($"settled {chainId} {day:yyyy-MM-dd}: {manifest.RowCount} rows, {manifest.NetPoints} points, as the ledger");
        }
    }

    /// <summary>A manifest and its downloaded file against the ledger rows of its day.</summary>
    public static async Task AssertSettlementFileEqualsLedgerAsync(HttpClient operatorClient, SettlementManifest manifest, IReadOnlyList<LedgerRow> rowsOfDay)
    {
        Assert.Equal(rowsOfDay.Sum(row => row.Points), manifest.NetPoints);
        Assert.Equal(rowsOfDay.Count, manifest.RowCount);
        Assert.Equal(rowsOfDay.Select(row => row.ReceiptId).Distinct().Count(), manifest.ReceiptCount);
        Assert.Equal(rowsOfDay.Sum(row => row.QualifyingAmount).ToString("0.00", CultureInfo.InvariantCulture), manifest.QualifyingAmount);

        var body = await operatorClient.GetByteArrayAsync($"api/v1/settlements/{manifest.ChainId}/{manifest.PostingDate:yyyy-MM-dd}/file");
        Assert.Equal(manifest.File.Sha256, Convert.ToHexStringLower(SHA256.HashData(body)));
        var rows = CsvFiles.Rows(body);
        Assert.Equal(rowsOfDay.Count, rows.Count);
        Assert.Equal(rowsOfDay.Sum(row => row.Points), rows.Sum(row => long.Parse(row["points"], CultureInfo.InvariantCulture)));
    }

    /// <summary>A Clock:Offset that puts a runner just after <paramref name="day"/> can be settled: its end in Asia/Shanghai plus the 30-minute grace.</summary>
    private static TimeSpan OffsetToAfter(DateOnly day) => SettleableFrom(day) + TimeSpan.FromMinutes(1) - DateTimeOffset.UtcNow;

    public static DateTimeOffset SettleableFrom(DateOnly day)
    {
        var midnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(midnight, Shanghai.GetUtcOffset(midnight)) + TimeSpan.FromMinutes(30);
    }

    /// <summary>Logs a step of the test with the time since the scenario started.</summary>
    public void Log(string step) => _output.WriteLine($"{_elapsed.Elapsed.TotalSeconds,6:F1} s  {step}");

    /// <summary>The end of every runner's output, for a failure message.</summary>
    public string RunnerOutput()
    {
        lock (_runners)
        {
            return string.Join(Environment.NewLine, _runners.Select((runner, index) =>
                $"--- runner {index} ({runner.BaseAddress}), last lines:{Environment.NewLine}{string.Join(Environment.NewLine, runner.Output.Split(Environment.NewLine).TakeLast(30))}"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<LocalRunnerProcess> runners;
        lock (_runners)
        {
            runners = [.. _runners];
            _runners.Clear();
        }

        foreach (var runner in runners)
        {
            await runner.DisposeAsync();
        }

        await Azurite.DisposeAsync();
        if (_dataFolder is not null)
        {
            Directory.Delete(_dataFolder, recursive: true);
        }
    }

    /// <summary>GTINs on a sample list and valid today, with their points per yuan (certified-green 1.0, low-VOC 0.5, both 1.5).</summary>
    private static readonly Lazy<IReadOnlyList<(string Gtin, decimal Rate)>> GreenGtins = new(() =>
    {
        var probe = new JsonObject { ["issuedAt"] = DateTimeOffset.UtcNow.AddMinutes(-3).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture) };
        var found = new List<(string, decimal)>();
        foreach (var file in new[] { "certified-green.csv", "low-voc.csv" })
        {
            foreach (var gtin in File.ReadLines(Path.Combine(RepositoryPaths.SampleData, file)).Skip(1).Select(line => line.Split(',')[0]).Distinct())
            {
                probe["lines"] = new JsonArray(new JsonObject { ["lineNumber"] = 1, ["gtin"] = gtin, ["amount"] = 100m });
                var line = Rules.Value.Score(probe).Single();
                if (line.Points > 0 && found.Count < 40 && found.All(known => known.Item1 != gtin))
                {
                    found.Add((gtin, line.Points / 100m));
                }
            }
        }

        return found.Count >= 10 ? found : throw new InvalidOperationException("The sample lists have fewer than 10 products valid today.");
    });
}

/// <summary>A ledger posting as the ledger table holds it.</summary>
internal sealed record LedgerRow(DateOnly PostingDate, string RowKey, string? ReceiptId, string? MemberId, long Points, decimal QualifyingAmount);

/// <summary>A batch post: the answer, or the transport failure, and how long it took.</summary>
internal sealed record BatchAttempt(
    IReadOnlyList<JsonObject> Receipts,
    HttpStatusCode? Status,
    string? ContentType,
    RetryConditionHeaderValue? RetryAfter,
    string Body,
    IReadOnlyList<BatchItemResult>? Results,
    HttpRequestException? Failure,
    TimeSpan Elapsed)
{
    /// <summary>A 2xx in which every receipt was accepted or is a duplicate of an acknowledged one.</summary>
    public bool IsAcknowledged => Results is { } results && results.Count == Receipts.Count
        && results.All(result => result.Status is BatchItemStatuses.Accepted or BatchItemStatuses.Duplicate);

    public IReadOnlyList<string> ReceiptIds => Results?.Select(result => result.ReceiptId!).ToList() ?? [];

    public override string ToString() =>
        Failure is not null ? $"no answer after {Elapsed}: {Failure.Message}" : $"{(int?)Status} {ContentType} after {Elapsed}: {Body[..Math.Min(Body.Length, 500)]}";
}
