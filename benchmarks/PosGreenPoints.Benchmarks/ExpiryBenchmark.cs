using System.Diagnostics;
using System.Net;
using System.Text;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Infrastructure.Events;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Wallet;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Benchmarks;

/// <summary>Sizes of section 5: lots in all, and lots a member holds (all earned in one month, so they expire at one instant).</summary>
/// <param name="Events">Where events go: <c>auto</c> (the Azurite queue, then the stand-in if that misses the target), <c>azurite</c>, <c>stand-in</c>.</param>
internal sealed record ExpirySizes(int Lots, int LotsPerMember, string Events = "auto");

/// <summary>
/// Section 5: the expiry timer's work (<see cref="WalletExpiry.RunAsync"/>) over a million lots due at one
/// instant, against a real Azurite. The wallets are written straight into the Members table through the
/// app's own wallet mapping (<see cref="StoredWallet.Write"/>), untimed; the run is timed with the app's
/// clock set past the expiry. Events go one queue message each on Azurite (Service Bus in batches in
/// Azure), so when that run misses the target a second one, on a fresh Azurite, sends them to a stand-in
/// queue endpoint in process that answers at once: the events are still built, serialised and counted.
/// </summary>
internal static class ExpiryBenchmark
{
    private const string Section = "5 Expiry";
    private const string Target = "≤ 60 s, ≤ 400 MB";
    private const int SampleSize = 300;

    /// <summary>Earned through March 2024 in the scheme's zone: every lot expires at the same month's end.</summary>
    private static readonly DateTimeOffset EarnedFrom = new(2024, 3, 1, 2, 0, 0, TimeSpan.FromHours(8));

    public static async Task RunAsync(Report report, ExpirySizes sizes)
    {
        var members = Math.Max(1, sizes.Lots / Math.Max(1, sizes.LotsPerMember));
        var label = $"{members * sizes.LotsPerMember:N0} lots ({members:N0} members × {sizes.LotsPerMember})";
        var met = false;
        if (sizes.Events is "auto" or "azurite")
        {
            var withQueue = await RunOnceAsync(members, sizes.LotsPerMember, standIn: false);
            withQueue.AddTo(report, label, "events on the Azurite queue, one message each");
            met = withQueue.Met;
        }

        if (sizes.Events is "stand-in" || (sizes.Events is "auto" && !met))
        {
            var counted = await RunOnceAsync(members, sizes.LotsPerMember, standIn: true);
            counted.AddTo(report, label, "events built and counted, sent to a stand-in (Service Bus, in batches, in Azure)");
        }
    }

    private static async Task<Outcome> RunOnceAsync(int members, int lotsPerMember, bool standIn)
    {
        // Azurite with its request counter, for the processor time it used in the run.
        await using var counted = await CountedAzurite.StartAsync();
        var azurite = counted.Fixture;
        var queue = standIn ? new StandInQueue() : null;
        await using var seeding = Build(azurite, TimeProvider.System, queue);
        var rules = seeding.GetRequiredService<PointsRules>().Wallet;
        var expiresAt = rules.ExpiresAt(EarnedFrom);
        var seedWatch = Stopwatch.StartNew();
        await SeedAsync(seeding, rules, members, lotsPerMember);
        var seeded = seedWatch.Elapsed;

        // The app as the timer runs it, its clock an hour past the month's end.
        await using var services = Build(azurite, new FixedClock(expiresAt.AddHours(1)), queue);
        var store = services.GetRequiredService<MemberStore>();
        var counter = services.GetRequiredService<StorageOperationCounter>();
        var expiry = services.GetRequiredService<WalletExpiry>();
        await store.ReadWalletAsync(MemberId(0), CancellationToken.None); // the table client made and the table provisioned, untimed
        var reset = Memory.TryResetPeak();
        var before = Memory.PeakWorkingSet();
        counter.Reset();
        queue?.Reset();
        var azuriteBefore = await counted.SnapshotAsync();
        var appBefore = ProcessorTime();
        var watch = Stopwatch.StartNew();
        var run = await expiry.RunAsync(WalletDue.Expiry, CancellationToken.None);
        var elapsed = watch.Elapsed;
        var appProcessor = ProcessorTime() - appBefore;
        var azuriteProcessor = (await counted.SnapshotAsync()).Since(azuriteBefore).Processor;
        var peak = Memory.PeakWorkingSet();
        var hwm = Memory.VmHwm();
        var queueOps = counter.CountFor(EventPublisher.LocalQueueName);
        var events = queue?.Sent ?? queueOps;
        var storageOps = counter.Count - queueOps;

        // Outside the timing: a sample of wallets holds what was expired, and a second run finds nothing.
        var mismatches = await VerifyAsync(store, members, lotsPerMember);
        counter.Reset();
        queue?.Reset();
        var again = await expiry.RunAsync(WalletDue.Expiry, CancellationToken.None);
        var eventsAgain = queue?.Sent ?? counter.CountFor(EventPublisher.LocalQueueName);
        return new Outcome(members, lotsPerMember, seeded, elapsed, run, storageOps, events, before, peak, hwm, reset, mismatches, again, eventsAgain, appProcessor, azuriteProcessor);
    }

    private static TimeSpan ProcessorTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static string MemberId(int index) => "MX" + index.ToString("D7", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The points of a member's lot: varied, and known again at verification without keeping them.</summary>
    private static long Points(int member, int lot) => 10 + (((member * 31) + (lot * 7)) % 90);

    private static long PointsOf(int member, int lotsPerMember) => Enumerable.Range(0, lotsPerMember).Sum(lot => Points(member, lot));

    /// <summary>
    /// Wallets built by the app's own decider (one award a lot, spread over March) and written by its own
    /// mapping, 100 wallets a transaction within a bucket, several transactions at once.
    /// </summary>
    private static async Task SeedAsync(ServiceProvider services, WalletRules rules, int members, int lotsPerMember)
    {
        await services.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync(CancellationToken.None);
        var table = services.GetRequiredService<TableServiceClient>().GetTableClient(StorageNames.Tables.Members);
        var byBucket = Enumerable.Range(0, members).GroupBy(index => MemberBuckets.Default.PartitionKeyOf(MemberId(index)));
        var chunks = byBucket.SelectMany(bucket => bucket.Chunk(TableTransactions.MaxActions).Select(chunk => (Bucket: bucket.Key, Members: chunk)));
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (chunk, token) =>
        {
            var actions = chunk.Members.Select(index => StoredWallet.New(MemberId(index)).Write(chunk.Bucket, Wallet(index, lotsPerMember, rules))).ToList();
            await table.SubmitTransactionAsync(actions, token);
        });
    }

    private static WalletState Wallet(int member, int lotsPerMember, WalletRules rules)
    {
        var state = WalletState.Empty;
        for (var lot = 0; lot < lotsPerMember; lot++)
        {
            var earnedAt = EarnedFrom.AddDays(lot % 28).AddMinutes(lot / 28).AddSeconds(member % 3600);
            var chainId = "bench-expiry-" + (char)('a' + (member % 4));
            state = WalletDecider.Award(state, $"{chainId}~SH-0001~{member}~{lot}", chainId, Points(member, lot), earnedAt, rules.PendingPeriod, rules).State;
        }

        return state;
    }

    /// <returns>Sampled wallets whose expired points, lots or next expiry are not what the seed makes them.</returns>
    private static async Task<int> VerifyAsync(MemberStore store, int members, int lotsPerMember)
    {
        var step = Math.Max(1, members / SampleSize);
        var mismatches = 0;
        for (var index = 0; index < members; index += step)
        {
            var wallet = await store.ReadWalletAsync(MemberId(index), CancellationToken.None);
            if (wallet is null || wallet.State.Expired != PointsOf(index, lotsPerMember) || wallet.State.Lots.Count != 0 || wallet.State.NextExpiryAt is not null)
            {
                mismatches++;
            }
        }

        return mismatches;
    }

    /// <summary>The app's own registration against this Azurite, as section 2 builds it; with a stand-in queue service when given.</summary>
    private static ServiceProvider Build(AzuriteFixture azurite, TimeProvider clock, StandInQueue? queue)
    {
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Auth:BootstrapOperatorKey"] = "benchmark-operator-key-0123456789abcdef",
            ["Settlement:HmacKey"] = "benchmark-settlement-key-0123456789abcdef",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        var counter = new StorageOperationCounter();
        services.AddSingleton(counter);
        services.AddSingleton<HttpPipelinePolicy>(counter);
        services.AddSingleton(clock);
        services.AddPosGreenPoints(configuration);
        if (queue is not null)
        {
            // Registered last, so it is the queue service the app gets (events are the only queue use here).
            services.AddSingleton(new QueueServiceClient(azurite.ConnectionString, new QueueClientOptions
            {
                MessageEncoding = QueueMessageEncoding.Base64,
                Transport = new HttpClientTransport(new HttpClient(queue)),
            }));
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private sealed record Outcome(
        int Members,
        int LotsPerMember,
        TimeSpan Seeded,
        TimeSpan Elapsed,
        ExpiryRun Run,
        long StorageOps,
        long Events,
        long PeakBefore,
        long Peak,
        long? Hwm,
        bool PeakReset,
        int Mismatches,
        ExpiryRun Again,
        long EventsAgain,
        TimeSpan AppProcessor,
        double AzuriteProcessor)
    {
        private double PeakMb => Peak / Memory.Mb;

        public bool Met => Elapsed.TotalSeconds <= 60 && PeakMb <= 400 && (Hwm is null || Hwm / Memory.Mb <= 400);

        public void AddTo(Report report, string label, string how)
        {
            var lots = (long)Members * LotsPerMember;
            var seconds = Elapsed.TotalSeconds;
            var correct = Run.Lots == lots && Mismatches == 0 && Again.Lots == 0 && EventsAgain == 0;
            report.Add(Section, $"expire {label}, {how}", $"{seconds:F1} s ({Run.Lots / seconds:N0} lots/s; seeding, untimed: {Seeded.TotalSeconds:F0} s)", "≤ 60 s", seconds <= 60);
            report.Add(Section, $"  peak working set ({(PeakReset ? "peak reset before the run" : "process: peak reset refused")}; at start: {PeakBefore / Memory.Mb:F0} MB)", $"{PeakMb:F0} MB", "≤ 400 MB", PeakMb <= 400);
            if (Hwm is { } hwm)
            {
                report.Add(Section, "  VmHWM (/proc/self/status)", $"{hwm / Memory.Mb:F0} MB", "≤ 400 MB", hwm / Memory.Mb <= 400);
            }

            report.Add(Section, "  processor time in the run: the app (all its threads) / Azurite (one thread)",
                $"{AppProcessor.TotalSeconds:F0} s ({AppProcessor.TotalSeconds / seconds:P0} of one core) / {AzuriteProcessor * seconds:F0} s ({AzuriteProcessor:P0})", "", null);
            report.Add(Section, "  storage operations (table; events apart)", $"{StorageOps:N0} ({StorageOps / (double)Members:F3} /wallet)", "", null);
            report.Add(Section, "  events sent (points.expired, one per member and instant)", $"{Events:N0}", $"{Members:N0}", Events == Members);
            report.Add(Section, $"  expired: {Run.Wallets:N0} wallets, {Run.Lots:N0} lots, {Run.Points:N0} points; {SampleSize} sampled wallets checked, {Mismatches} wrong; a second run: {Again.Lots} lots, {EventsAgain} events",
                correct ? "correct" : "WRONG", "each lot once", correct);
        }
    }

    /// <summary>
    /// The queue service as a stand-in: every request answered at once (a queue created, a message
    /// enqueued), messages to the events queue counted. It replaces the transport, not the publisher, so
    /// the app's own code builds and serialises every event.
    /// </summary>
    private sealed class StandInQueue : HttpMessageHandler
    {
        private const string Enqueued =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><QueueMessagesList><QueueMessage><MessageId>00000000-0000-0000-0000-000000000000</MessageId>" +
            "<InsertionTime>Mon, 01 Jan 2024 00:00:00 GMT</InsertionTime><ExpirationTime>Mon, 08 Jan 2024 00:00:00 GMT</ExpirationTime>" +
            "<PopReceipt>AAAAAAAAAAA=</PopReceipt><TimeNextVisible>Mon, 01 Jan 2024 00:00:00 GMT</TimeNextVisible></QueueMessage></QueueMessagesList>";

        private long _sent;

        public long Sent => Interlocked.Read(ref _sent);

        public void Reset() => Interlocked.Exchange(ref _sent, 0);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null)
            {
                await request.Content.ReadAsByteArrayAsync(cancellationToken);
            }

            var path = request.RequestUri!.AbsolutePath;
            if (request.Method == HttpMethod.Post && path.EndsWith("/" + EventPublisher.LocalQueueName + "/messages", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _sent);
                return new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent(Enqueued, Encoding.UTF8, "application/xml") };
            }

            return new HttpResponseMessage(request.Method == HttpMethod.Put ? HttpStatusCode.Created : HttpStatusCode.NoContent);
        }
    }

    /// <summary>Wall-clock time moved to a fixed instant.</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
