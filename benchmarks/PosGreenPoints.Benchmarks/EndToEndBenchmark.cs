using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Benchmarks;

/// <summary>The sizes of section 3.</summary>
/// <param name="Receipts">Receipts posted one per request.</param>
/// <param name="Batches">Batches of 100 receipts posted.</param>
/// <param name="Clients">Concurrent HTTP clients posting, and concurrent callers of the raw Azurite measurement.</param>
/// <param name="RawSeconds">How long each kind of raw Azurite operation is measured.</param>
internal sealed record EndToEndSizes(int Receipts, int Batches, int Clients, int RawSeconds);

/// <summary>
/// Section 3: receipts/s from post to scored, over HTTP through the local runner against Azurite, for
/// single posts and for batches of 100, with the latency of the posts; then, in the same Azurite,
/// its raw throughput for the same kinds of operation, so that the two read as a ratio.
/// </summary>
internal static class EndToEndBenchmark
{
    private const string Section = "3 End to end";
    private const string Target = "report";
    private const int BatchSize = 100;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan ScoringPatience = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary>The end-to-end tests' settings, without the console span exporter, which no hosted app pays for.</summary>
    private static readonly Dictionary<string, string?> Settings = new(FunctionAppFixture.Settings)
    {
        ["Telemetry:Console"] = "false",
    };

    public static async Task RunAsync(Report report, EndToEndSizes sizes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sizes.Receipts, 1, "--e2e-receipts");
        ArgumentOutOfRangeException.ThrowIfLessThan(sizes.Batches, 1, "--e2e-batches");
        ArgumentOutOfRangeException.ThrowIfLessThan(sizes.Clients, 1, "--e2e-clients");
        ArgumentOutOfRangeException.ThrowIfLessThan(sizes.RawSeconds, 1, "--e2e-raw-seconds");
        await BuildRunnerAsync();
        await using var azurite = await CountedAzurite.StartAsync();
        (Phase Single, Phase Batched) app;
        var runner = await LocalRunnerProcess.StartAsync(RepositoryPaths.FunctionAppDirectory, azurite.Fixture.ConnectionString, Settings);
        try
        {
            app = await RunAppAsync(runner, azurite, sizes);
        }
        finally
        {
            // Stopped before the raw table and blob measurement, which gets Azurite and the processors to itself.
            await runner.DisposeAsync();
        }

        var stores = await AzuriteRawThroughput.MeasureStoresAsync(azurite, sizes.Clients, TimeSpan.FromSeconds(sizes.RawSeconds));

        AddRows(report, "single posts", $"{app.Single.Receipts} receipts", app.Single, stores, sizes);
        AddRows(report, $"batches of {BatchSize}", $"{app.Batched.Posts} × {BatchSize} receipts", app.Batched, stores, sizes);
        var callers = $"Azurite raw, {sizes.Clients} callers, {sizes.RawSeconds} s each:";
        report.Add(Section, $"{callers} table insert (1 entity, ~1 KB body)", Rate(stores.TableInsert), Target, null);
        report.Add(Section, $"{callers} table point read", Rate(stores.TableRead), Target, null);
        report.Add(Section, $"{callers} table transaction of {AzuriteRawThroughput.TransactionSize} inserts",
            $"{Rate(stores.Transaction)}; {stores.Transaction.PerSecond * AzuriteRawThroughput.TransactionSize:N0} entities/s", Target, null);
        report.Add(Section, $"{callers} blob put ({AzuriteRawThroughput.BlobBytes / 1024} KB)", Rate(stores.BlobPut), Target, null);
    }

    private static void AddRows(Report report, string label, string size, Phase phase, StoreRates stores, EndToEndSizes sizes)
    {
        var receipts = (double)phase.Receipts;
        var seconds = phase.PostToScored.TotalSeconds;
        var requestsPerSecond = phase.Usage.Requests / seconds;
        var rawPerCore = phase.Usage.Requests / AzuriteRawThroughput.SecondsFor(phase.Usage, phase.Queues, stores);
        var queues = phase.Queues;
        report.Add(Section,
            $"{label} ({size} of {phase.Lines / receipts:F1} lines, {Percent(phase.Earning / receipts)} earning points; {sizes.Clients} clients): post → scored",
            $"{phase.Receipts / seconds:N0} receipts/s ({seconds:F1} s; posting alone {phase.Posting.TotalSeconds:F1} s)", Target, null);
        report.Add(Section,
            $"{label}: post latency p50 / p99 ({phase.Posts} posts)",
            $"{Percentile(phase.Latencies, 0.50):N0} ms / {Percentile(phase.Latencies, 0.99):N0} ms", Target, null);
        report.Add(Section,
            $"{label}: Azurite requests the app sent per receipt (table / queue / blob)",
            $"{phase.Usage.Requests / receipts:F2} ({phase.Usage.Of("table") / receipts:F2} / {phase.Usage.Of("queue") / receipts:F2} / {phase.Usage.Of("blob") / receipts:F2})", Target, null);
        report.Add(Section,
            $"{label}: requests per receipt by table, queue and container (reads + writes; a transaction is one write)",
            string.Join("; ", phase.Usage.Resources
                .Where(pair => pair.Value > 0 && pair.Key.Resource is not "(account)" and not "Tables" and not "__benchmark")
                .GroupBy(pair => (pair.Key.Service, pair.Key.Resource))
                .OrderByDescending(group => group.Sum(pair => pair.Value))
                .Select(group => $"{group.Key.Resource} {Count(group, "read") / receipts:F2} + {Count(group, "write") / receipts:F2}")), Target, null);
        var busiest = phase.Usage.BusiestPartition;
        report.Add(Section,
            $"{label}: table entities written per receipt; the busiest partition's share of them and its write rate",
            $"{phase.Usage.EntityWrites / receipts:F2} per receipt; {busiest.Table} '{busiest.Partition}' {Percent(busiest.Writes / (double)Math.Max(1, phase.Usage.EntityWrites))} ({busiest.Writes / seconds:N0} entities/s)", Target, null);
        report.Add(Section,
            $"{label}: by table: partitions written, entities per receipt, busiest partition's share of the table's writes",
            string.Join("; ", phase.Usage.Entities
                .GroupBy(pair => pair.Key.Table)
                .OrderByDescending(group => group.Sum(pair => pair.Value))
                .Select(group => $"{group.Key} {group.Count()} × {group.Sum(pair => pair.Value) / receipts:F2}, busiest {Percent(group.Max(pair => pair.Value) / (double)group.Sum(pair => pair.Value))}")), Target, null);
        report.Add(Section,
            $"{label}: then Azurite raw, {sizes.Clients} callers, {sizes.RawSeconds} s each, holding {queues.HeldMessages:N0} queue messages: queue put / get (1 message) / delete",
            $"{Rate(queues.Put)}; {Rate(queues.Get)}; {Rate(queues.Delete)}", Target, null);
        report.Add(Section,
            $"{label}: Azurite requests/s the app drove ÷ raw Azurite requests/s for that mix on one core",
            $"{requestsPerSecond:N0} ÷ {rawPerCore:N0} = {Percent(requestsPerSecond / rawPerCore)} (Azurite CPU {Percent(phase.Usage.Processor)})", Target, null);
    }

    /// <summary>
    /// The runner is no reference of this project, so building the benchmark builds the app (a reference)
    /// in its configuration but not the runner, while the fixtures look for both in that configuration.
    /// </summary>
    internal static async Task BuildRunnerAsync()
    {
        var project = Path.Combine(RepositoryPaths.Root, "functions", "PosGreenPoints.LocalRunner", "PosGreenPoints.LocalRunner.csproj");

        // No restore (the solution's build restored it) and no build servers, which would outlive the run.
        await using var build = ChildProcess.Start("dotnet",
            ["build", project, "-c", RepositoryPaths.Configuration, "--no-restore", "--disable-build-servers", "-nologo", "-v", "quiet", "-clp:ErrorsOnly"]);
        if (await build.WaitForExitAsync(TimeSpan.FromMinutes(5)) != 0)
        {
            throw new InvalidOperationException(
                $"building the local runner ({RepositoryPaths.Configuration}) failed; build the solution once first: {build.Output.ReplaceLineEndings(" ")}");
        }
    }

    private static async Task<(Phase Single, Phase Batched)> RunAppAsync(LocalRunnerProcess runner, CountedAzurite azurite, EndToEndSizes sizes)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var (warmChain, singleChain, batchChain) = ($"bench-warm-{run}", $"bench-single-{run}", $"bench-batch-{run}");
        var apiKey = await SetUpAsync(runner, run, [warmChain, singleChain, batchChain]);
        var clients = Enumerable.Range(0, sizes.Clients).Select(_ => Client(runner, apiKey)).ToArray();
        try
        {
            var receipts = azurite.Fixture.Tables.GetTableClient(StorageNames.Tables.Receipts);
            var templates = await WarmUpAsync(clients, receipts, warmChain);

            // About one receipt per member and day, as a chain's members shop; anonymous sales stay anonymous.
            var random = new Random(20261125);
            var members = sizes.Receipts + (sizes.Batches * BatchSize);
            JsonObject Receipt(string chainId, string receiptNumber)
            {
                var receipt = templates[random.Next(templates.Count)].DeepClone().AsObject();
                receipt["chainId"] = chainId;
                receipt["receiptNumber"] = receiptNumber;
                receipt["issuedAt"] = IssuedAt();
                if (receipt.ContainsKey("memberId"))
                {
                    receipt["memberId"] = $"BM{random.Next(members):D6}";
                }

                return receipt;
            }

            var singles = Enumerable.Range(0, sizes.Receipts)
                .Select(index => Post.Single(Receipt(singleChain, $"S{index:D6}")))
                .ToList();
            var single = await MeasureAsync(clients, singles, receipts, singleChain, azurite, sizes);

            // A batch is one till's upload: its receipts share a store and day, so one partition.
            var stores = templates.Select(template => (string)template["storeId"]!).Distinct().Order().ToList();
            var batches = Enumerable.Range(0, sizes.Batches)
                .Select(batch => Post.Batch(Enumerable.Range(0, BatchSize).Select(index =>
                {
                    var receipt = Receipt(batchChain, $"B{batch:D4}-{index:D3}");
                    receipt["storeId"] = stores[batch % stores.Count];
                    return receipt;
                })))
                .ToList();
            var batched = await MeasureAsync(clients, batches, receipts, batchChain, azurite, sizes);
            return (single, batched);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>As an operator: registers the chains, creates a till key for them and publishes the sample lists.</summary>
    /// <returns>The till key.</returns>
    private static async Task<string> SetUpAsync(LocalRunnerProcess runner, string run, IReadOnlyList<string> chains)
    {
        using var client = Client(runner, FunctionAppFixture.OperatorKey);
        foreach (var chainId in chains)
        {
            using var registered = await client.PutAsJsonAsync($"api/v1/admin/chains/{chainId}", new ChainRegistration("Benchmark " + chainId));
            await ExpectAsync(registered, "registering " + chainId, HttpStatusCode.OK, HttpStatusCode.Created);
        }

        using var created = await client.PostAsJsonAsync("api/v1/admin/clients", new CreateClientRequest("bench-tills-" + run, ClientRoles.Pos, chains));
        await ExpectAsync(created, "creating the till key", HttpStatusCode.Created);
        var apiKey = (await created.Content.ReadFromJsonAsync<CreatedClient>())!.ApiKey;

        foreach (var list in new[] { "certified-green", "low-voc" })
        {
            using var csv = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.SampleData, list + ".csv")));
            csv.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
            using var published = await client.PutAsync($"api/v1/admin/product-lists/{list}", csv);
            await ExpectAsync(published, "publishing " + list, HttpStatusCode.OK, HttpStatusCode.Created);
        }

        return apiKey;
    }

    /// <summary>
    /// Posts every sample receipt with lines, in batches and a few alone, and waits until they are scored:
    /// the runner, the app and its product-list index are warm before anything is timed.
    /// </summary>
    /// <returns>The samples that earned points today, the templates of the timed receipts: scoring does real work on each.</returns>
    private static async Task<List<JsonObject>> WarmUpAsync(HttpClient[] clients, TableClient receipts, string chainId)
    {
        var samples = Enumerable.Range(0, SampleReceipts.Count).Select(index =>
        {
            var sample = SampleReceipts.Receipt(index, chainId);
            sample["issuedAt"] = IssuedAt();
            sample["receiptNumber"] = $"W{index:D4}";
            return sample;
        }).ToList();
        var posts = samples.Chunk(BatchSize).Select(Post.Batch)
            .Concat(samples.Take(clients.Length * 4).Select((sample, index) =>
            {
                var alone = sample.DeepClone().AsObject();
                alone["receiptNumber"] = $"WS{index:D4}";
                return Post.Single(alone);
            }))
            .ToList();
        await PostAllAsync(clients, posts);
        await WaitUntilScoredAsync(receipts, chainId);
        var earning = (await ReadScoredAsync(receipts, chainId, posts.Sum(post => post.Receipts)))
            .Where(receipt => receipt.Points > 0)
            .Select(receipt => receipt.ReceiptNumber)
            .ToHashSet(StringComparer.Ordinal);
        var templates = samples.Where(sample => earning.Contains((string)sample["receiptNumber"]!)).ToList();
        return templates.Count > 0 ? templates : throw new InvalidOperationException("No sample receipt earned points today.");
    }

    /// <summary>Posts, waits until all are scored, then measures Azurite's raw queue operations in the state the phase left.</summary>
    private static async Task<Phase> MeasureAsync(HttpClient[] clients, List<Post> posts, TableClient receipts, string chainId, CountedAzurite azurite, EndToEndSizes sizes)
    {
        var count = posts.Sum(post => post.Receipts);
        var before = await azurite.SnapshotAsync();
        var started = DateTimeOffset.UtcNow;
        var posting = Stopwatch.StartNew();
        var latencies = await PostAllAsync(clients, posts);
        var posted = posting.Elapsed;
        var polls = await WaitUntilScoredAsync(receipts, chainId);

        // The polls are the benchmark's requests, not the app's; the final read below comes after the snapshot.
        var usage = (await azurite.SnapshotAsync()).Since(before).Without("table", "GET", polls, StorageNames.Tables.Receipts);
        var scored = await ReadScoredAsync(receipts, chainId, count);
        var queues = await AzuriteRawThroughput.MeasureQueuesAsync(azurite, sizes.Clients, TimeSpan.FromSeconds(sizes.RawSeconds));
        return new Phase(
            count,
            posts.Count,
            posts.Sum(post => post.Lines),
            scored.Count(receipt => receipt.Points > 0),
            (scored.Max(receipt => receipt.ScoredAt) ?? throw new InvalidOperationException("The scored receipts have no ScoredAt.")) - started,
            posted,
            latencies,
            usage,
            queues);
    }

    /// <summary>Posts from every client at once, each taking the next post when its last one is answered.</summary>
    /// <returns>Each post's latency in milliseconds, from sending the request to reading the whole answer.</returns>
    private static async Task<double[]> PostAllAsync(HttpClient[] clients, List<Post> posts)
    {
        var latencies = new double[posts.Count];
        var next = -1;
        await Task.WhenAll(clients.Select(async client =>
        {
            for (var index = Interlocked.Increment(ref next); index < posts.Count; index = Interlocked.Increment(ref next))
            {
                var post = posts[index];
                using var content = new StringContent(post.Body, Encoding.UTF8, "application/json");
                var sent = Stopwatch.GetTimestamp();
                using var response = await client.PostAsync(post.Path, content);
                var answer = await response.Content.ReadAsStringAsync();
                latencies[index] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                if (response.StatusCode != (post.IsBatch ? HttpStatusCode.OK : HttpStatusCode.Accepted) || (post.IsBatch && !AllAccepted(answer)))
                {
                    throw new InvalidOperationException($"POST {post.Path} answered {(int)response.StatusCode}: {answer}");
                }
            }
        }));
        return latencies;
    }

    private static bool AllAccepted(string batchAnswer) =>
        JsonSerializer.Deserialize<BatchResult>(batchAnswer, JsonSerializerOptions.Web)!.Results.All(result => result.Status == BatchItemStatuses.Accepted);

    /// <summary>Waits until none of the chain's receipts is still accepted, with a cheap query (one status, few rows).</summary>
    /// <returns>How many requests the polling sent.</returns>
    private static async Task<int> WaitUntilScoredAsync(TableClient receipts, string chainId)
    {
        var deadline = Stopwatch.StartNew();
        var requests = 0;
        while (true)
        {
            var waiting = 0;
            await foreach (var page in receipts.QueryAsync<TableEntity>(
                $"ChainId eq '{chainId}' and Status eq '{ReceiptStatuses.Accepted}'", select: ["PartitionKey"]).AsPages())
            {
                requests++;
                waiting += page.Values.Count;
            }

            if (waiting == 0)
            {
                return requests;
            }

            if (deadline.Elapsed > ScoringPatience)
            {
                throw new TimeoutException($"{waiting} receipts of {chainId} were not scored within {ScoringPatience}.");
            }

            await Task.Delay(PollInterval);
        }
    }

    private static async Task<List<ScoredReceipt>> ReadScoredAsync(TableClient receipts, string chainId, int expected)
    {
        var read = new List<ScoredReceipt>();
        await foreach (var entity in receipts.QueryAsync<TableEntity>($"ChainId eq '{chainId}'", select: ["ReceiptNumber", "Status", "Points", "ScoredAt"]))
        {
            read.Add(new ScoredReceipt(entity.GetString("ReceiptNumber"), entity.GetString("Status"), entity.GetInt64("Points") ?? 0, entity.GetDateTimeOffset("ScoredAt")));
        }

        var scored = read.Count(receipt => receipt.Status == ReceiptStatuses.Scored);
        return scored == expected
            ? read
            : throw new InvalidOperationException($"{scored} of {expected} receipts of {chainId} were scored ({read.Count - scored} stored otherwise).");
    }

    /// <summary>A minute ago, but never before today's start in China, so that every receipt falls on today's business day there.</summary>
    private static string IssuedAt()
    {
        var now = DateTimeOffset.UtcNow.ToOffset(ChinaOffset);
        var startOfDay = new DateTimeOffset(now.Date, ChinaOffset);
        var issued = now.AddMinutes(-1) < startOfDay ? startOfDay : now.AddMinutes(-1);
        return issued.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
    }

    internal static HttpClient Client(LocalRunnerProcess runner, string apiKey)
    {
        var client = runner.CreateClient();
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    internal static async Task ExpectAsync(HttpResponseMessage response, string what, params HttpStatusCode[] expected)
    {
        if (!expected.Contains(response.StatusCode))
        {
            throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>The nearest-rank percentile: with 20 posts, p99 is the slowest.</summary>
    internal static double Percentile(double[] values, double percentile)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Max(0, (int)Math.Ceiling(percentile * sorted.Length) - 1)];
    }

    private static string Percent(double share) => $"{share * 100:F0}%";

    private static long Count(IEnumerable<KeyValuePair<(string Service, string Resource, string Op), long>> requests, string op) =>
        requests.Where(pair => pair.Key.Op == op).Sum(pair => pair.Value);

    private static string Rate(RawRate rate) => $"{rate.PerSecond:N1} /s at Azurite CPU {Percent(rate.Processor)} ({rate.PerCore:N0} /s per core)";

    /// <summary>One request of a phase: a receipt alone, or a batch.</summary>
    private sealed record Post(string Path, string Body, int Receipts, int Lines, bool IsBatch)
    {
        public static Post Single(JsonObject receipt) =>
            new("api/v1/receipts", receipt.ToJsonString(), 1, receipt["lines"]!.AsArray().Count, IsBatch: false);

        public static Post Batch(IEnumerable<JsonObject> receipts)
        {
            var batch = receipts.ToList();
            var body = new JsonObject { ["receipts"] = new JsonArray([.. batch]) };
            return new Post("api/v1/receipts/batch", body.ToJsonString(), batch.Count, batch.Sum(receipt => receipt["lines"]!.AsArray().Count), IsBatch: true);
        }
    }

    private sealed record ScoredReceipt(string ReceiptNumber, string Status, long Points, DateTimeOffset? ScoredAt);

    /// <summary>What one phase measured: from the first post to the last receipt scored.</summary>
    private sealed record Phase(int Receipts, int Posts, int Lines, int Earning, TimeSpan PostToScored, TimeSpan Posting, double[] Latencies, AzuriteUsage Usage, QueueRates Queues);
}
