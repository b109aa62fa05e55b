using System.Globalization;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Contracts.Clearing;
using PosGreenPoints.Functions.Clearing;
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Clearing;

/// <summary>
/// clearing.md against Azurite. The posting log is scheme-wide, so these tests have an Azurite of their
/// own, and each clears a day of its own, months apart (and within the lots' 24 months of validity).
/// </summary>
public sealed class ClearingDayTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly MemberPseudonyms Pseudonyms = new(ClearingScenario.HmacKey);

    /// <summary>
    /// Three retail chains and a service chain on 2031-04-01: awards at one chain, redemptions at others and
    /// of own points, a refund, a return after its sale's points were spent elsewhere (a clawback from the
    /// lot that made it good), and an expiry due at midnight that only the expiry run writes.
    /// </summary>
    [Fact]
    public async Task A_multi_chain_day_gives_every_chain_the_file_and_manifest_of_the_independent_calculation()
    {
        var day = new DateOnly(2031, 4, 1);
        var (h, w, s, m) = (SampleReceipts.NewChainId("hl"), SampleReceipts.NewChainId("wm"), SampleReceipts.NewChainId("sn"), SampleReceipts.NewChainId("metro"));
        var scenario = new ClearingScenario(azurite);
        await using var services = scenario.Services();
        await scenario.RegisterAsync(services, ClearingScenario.Local(day.AddDays(-12), 10), h, w, s, m);
        var (m1, m2, m3) = ("CM1-" + h, "CM2-" + h, "CM3-" + h);
        await ClearingScenario.AwardAsync(services, m1, "H-SALE-1", h, 1000, ClearingScenario.Local(day.AddDays(-10), 10));
        await ClearingScenario.AwardAsync(services, m2, "S-SALE-2", s, 200, ClearingScenario.Local(day.AddDays(-11), 10));
        await ClearingScenario.AwardAsync(services, m2, "W-SALE-2", w, 500, ClearingScenario.Local(day.AddDays(-10), 10));
        // Earned in March 2029: expires at 2031-04-01T00:00+08:00, the first instant of the day.
        await ClearingScenario.AwardAsync(services, m3, "S-OLD", s, 300, new DateTimeOffset(2029, 3, 10, 10, 0, 0, TimeSpan.FromHours(8)));

        await ClearingScenario.RedeemAsync(services, m1, "RED-W-1", w, ClearingScenario.Local(day, 9), "WM-1", "POS-1", ("H-SALE-1", 400));
        await ClearingScenario.RedeemAsync(services, m1, "RED-M-1", m, ClearingScenario.Local(day, 9, 30), "GATE-1", "G-07", ("H-SALE-1", 300));
        await ClearingScenario.RedeemAsync(services, m2, "RED-M-2", m, ClearingScenario.Local(day, 10), "GATE-2", "G-01", ("W-SALE-2", 200));
        await ClearingScenario.RedeemAsync(services, m2, "RED-W-2", w, ClearingScenario.Local(day, 10, 30), "WM-1", "POS-2", ("W-SALE-2", 100));
        await ClearingScenario.RefundAsync(services, m1, "REF-W-1", w, ClearingScenario.Local(day, 11), "WM-1", "POS-1", ("H-SALE-1", 100));
        await ClearingScenario.RedeemAsync(services, m2, "RED-H-2", h, ClearingScenario.Local(day, 11, 30), "HL-9", "POS-4", ("S-SALE-2", 200), ("W-SALE-2", 50));
        // The return of S-SALE-2, whose points were spent at H: the decider takes them from W's lot.
        await ClearingScenario.ReverseAsync(services, m2, "S-RET-2", s, 120, "S-SALE-2", ClearingScenario.Local(day, 12), "SN-3", "POS-5");
        await ClearingScenario.AwardAsync(services, m3, "H-SALE-3", h, 80, ClearingScenario.Local(day, 13));
        // Tomorrow's postings are not the day's.
        await ClearingScenario.RedeemAsync(services, m1, "RED-W-NEXT", w, ClearingScenario.Local(day.AddDays(1), 0, 1), "WM-1", "POS-1", ("H-SALE-1", 10));

        scenario.Clock.SetUtcNow(ClearingScenario.Local(day.AddDays(1), 3));
        var outcome = await services.GetRequiredService<ClearingWriter>().ClearAsync(day, CancellationToken.None);

        // The independent calculation: clearing.md's table applied by hand to the postings above.
        Owed[] owed =
        [
            new(h, w, "redemption", "RED-W-1", "H-SALE-1", 400, "WM-1", "POS-1", m1),
            new(h, m, "redemption", "RED-M-1", "H-SALE-1", 300, "GATE-1", "G-07", m1),
            new(w, m, "redemption", "RED-M-2", "W-SALE-2", 200, "GATE-2", "G-01", m2),
            new(h, w, "refund", "REF-W-1", "H-SALE-1", -100, "WM-1", "POS-1", m1),
            new(s, h, "redemption", "RED-H-2", "S-SALE-2", 200, "HL-9", "POS-4", m2),
            new(w, h, "redemption", "RED-H-2", "W-SALE-2", 50, "HL-9", "POS-4", m2),
            new(w, s, "clawback", "S-RET-2", "W-SALE-2", 120, "SN-3", "POS-5", m2),
        ];
        var expected = new Dictionary<string, Expected>
        {
            // H-SALE-1 1000 − 400 − 300 + 100, and H-SALE-3's 80.
            [h] = new("3.50", "7.00", "-3.50", [(m, "0.00", "3.00", "-3.00"), (s, "2.00", "0.00", "2.00"), (w, "1.50", "4.00", "-2.50")], 80, 250, 0, 480),
            // W-SALE-2 500 − 200 − 100 − 50 − 120; redeemed here 400 + 100 − 100.
            [w] = new("4.00", "4.70", "-0.70", [(h, "4.00", "1.50", "2.50"), (m, "0.00", "2.00", "-2.00"), (s, "0.00", "1.20", "-1.20")], 0, 400, 0, 30),
            [s] = new("1.20", "2.00", "-0.80", [(h, "0.00", "2.00", "-2.00"), (w, "1.20", "0.00", "1.20")], 0, 0, 300, 0),
            [m] = new("5.00", "0.00", "5.00", [(h, "3.00", "0.00", "3.00"), (w, "2.00", "0.00", "2.00")], 0, 500, 0, 0),
        };

        var report = Assert.IsType<ClearingOutcome.Published>(outcome).Report;
        Assert.Equal("0.00", report.TotalNet);
        var store = services.GetRequiredService<ClearingStore>();
        foreach (var (chainId, figures) in expected)
        {
            var manifest = (await store.GetManifestAsync(chainId, day, CancellationToken.None))!;
            var bytes = await ClearingScenario.DownloadAsync(azurite, ClearingStore.CsvPath(chainId, day));
            Assert.Equal((ClearingCsv.FileName(chainId, day), (long)bytes.Length, ClearingScenario.Sha256(bytes)), (manifest.File.Name, manifest.File.Bytes, manifest.File.Sha256));
            Assert.Equal(
                (chainId, day, "Asia/Shanghai", figures.Receivable, figures.Payable, figures.Net, figures.Issued, figures.RedeemedHere, figures.Expired, figures.Outstanding, (figures.Outstanding / 100m).ToString("0.00", CultureInfo.InvariantCulture)),
                (manifest.ChainId, manifest.ClearingDate, manifest.TimeZone, manifest.Receivable, manifest.Payable, manifest.Net, manifest.PointsIssued, manifest.PointsRedeemedHere, manifest.PointsExpired, manifest.OutstandingPoints, manifest.OutstandingValue));
            Assert.Equal(figures.Counterparties, manifest.Counterparties.Select(counterparty => (counterparty.ChainId, counterparty.Receivable, counterparty.Payable, counterparty.Net)));

            var rows = ClearingScenario.ParseCsv(bytes);
            Assert.Equal(manifest.RowCount, rows.Count);
            Assert.Equal(ExpectedRows(chainId, day, owed), rows.Select(row => string.Join(',', ClearingCsv.Columns.Select(column => row[column]))));
            Assert.Equal(manifest.Net, rows.Sum(row => decimal.Parse(row["amount"], CultureInfo.InvariantCulture)).ToString("0.00", CultureInfo.InvariantCulture));
        }

        Assert.Equal(
            expected.Keys.Order(StringComparer.Ordinal).Select(chainId => (chainId, expected[chainId].Net)),
            report.Chains.Where(chain => expected.ContainsKey(chain.ChainId)).Select(chain => (chain.ChainId, chain.Net)));
        var stored = (await store.GetReportAsync(day, CancellationToken.None))!;
        Assert.Equal((report.TotalNet, report.OutstandingPoints, report.OutstandingValue), (stored.TotalNet, stored.OutstandingPoints, stored.OutstandingValue));
        Assert.Equal(report.Chains, stored.Chains);
    }

    [Fact]
    public async Task The_timer_fired_twice_and_on_two_instances_publishes_one_set_of_files_and_catches_up_missed_days()
    {
        var day = new DateOnly(2031, 9, 15);
        var (a, b) = (SampleReceipts.NewChainId("ta"), SampleReceipts.NewChainId("tb"));
        var scenario = new ClearingScenario(azurite);
        await using var services = scenario.Services();
        await scenario.RegisterAsync(services, ClearingScenario.Local(day.AddDays(-5), 10), a, b);
        var member = "TM-" + a;
        await ClearingScenario.AwardAsync(services, member, "A-SALE", a, 900, ClearingScenario.Local(day.AddDays(-4), 10));
        await ClearingScenario.RedeemAsync(services, member, "RED-B", b, ClearingScenario.Local(day, 15), "B-1", "P-1", ("A-SALE", 250));
        await ClearingScenario.RedeemAsync(services, member, "RED-B-2", b, ClearingScenario.Local(day.AddDays(1), 15), "B-1", "P-1", ("A-SALE", 50));

        // Down for two days: the timers fire on the third morning, at once on two instances, then again.
        var late = ClearingScenario.Local(day.AddDays(3), 3);
        var clocks = new[] { new FakeTimeProvider(late), new FakeTimeProvider(late) };
        await using var first = scenario.Services(clocks[0]);
        await using var second = scenario.Services(clocks[1]);
        var runs = await Task.WhenAll(first.GetRequiredService<DailyClearing>().RunAsync(CancellationToken.None), second.GetRequiredService<DailyClearing>().RunAsync(CancellationToken.None));
        var store = first.GetRequiredService<ClearingStore>();
        var published = new Dictionary<string, byte[]>();
        foreach (var cleared in new[] { day, day.AddDays(1), day.AddDays(2) })
        {
            var report = (await store.GetReportAsync(cleared, CancellationToken.None))!;
            Assert.Equal("0.00", report.TotalNet);
            foreach (var chainId in new[] { a, b })
            {
                published[ClearingStore.CsvPath(chainId, cleared)] = await ClearingScenario.DownloadAsync(azurite, ClearingStore.CsvPath(chainId, cleared));
            }
        }

        Assert.True(runs.Sum() >= 3, $"The two runs cleared {runs.Sum()} days; the three missed ones (and the catch-up window's) each once or twice.");
        Assert.Equal("-2.50", (await store.GetManifestAsync(a, day, CancellationToken.None))!.Net);
        // The next day's liability continues from this day's manifest: 900 − 250, then − 50.
        Assert.Equal(650, (await store.GetManifestAsync(a, day, CancellationToken.None))!.OutstandingPoints);
        Assert.Equal(600, (await store.GetManifestAsync(a, day.AddDays(1), CancellationToken.None))!.OutstandingPoints);
        Assert.Equal(600, (await store.GetManifestAsync(a, day.AddDays(2), CancellationToken.None))!.OutstandingPoints);

        Assert.Equal(0, await first.GetRequiredService<DailyClearing>().RunAsync(CancellationToken.None));
        Assert.IsType<ClearingOutcome.Unchanged>(await second.GetRequiredService<ClearingWriter>().ClearAsync(day, CancellationToken.None));
        foreach (var (path, bytes) in published)
        {
            Assert.Equal(bytes, await ClearingScenario.DownloadAsync(azurite, path));
        }

        var names = new List<string>();
        await foreach (var blob in azurite.Blobs.GetBlobContainerClient("clearing").GetBlobsAsync(prefix: $"{a}/"))
        {
            names.Add(blob.Name);
        }

        Assert.DoesNotContain(names, name => name.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.Single(names, name => name == ClearingStore.CsvPath(a, day));
    }

    [Fact]
    public async Task A_crash_between_two_chains_files_is_completed_by_the_next_run_with_the_same_bytes()
    {
        var day = new DateOnly(2032, 1, 10);
        var (a, b) = (SampleReceipts.NewChainId("ca"), SampleReceipts.NewChainId("cb"));
        var scenario = new ClearingScenario(azurite);
        await using var services = scenario.Services();
        await scenario.RegisterAsync(services, ClearingScenario.Local(day.AddDays(-5), 10), a, b);
        var member = "CR-" + a;
        await ClearingScenario.AwardAsync(services, member, "A-SALE", a, 400, ClearingScenario.Local(day.AddDays(-4), 10));
        await ClearingScenario.RedeemAsync(services, member, "RED-B", b, ClearingScenario.Local(day, 15), "B-1", "P-1", ("A-SALE", 100));

        var clock = new FakeTimeProvider(ClearingScenario.Local(day.AddDays(1), 3));
        var crash = new CrashOnManifest(ClearingStore.ManifestPath(b, day));
        await using (var crashing = scenario.Services(clock, crash))
        {
            await Assert.ThrowsAsync<IOException>(() => crashing.GetRequiredService<ClearingWriter>().ClearAsync(day, CancellationToken.None));
        }

        var store = services.GetRequiredService<ClearingStore>();
        Assert.Null(await store.GetReportAsync(day, CancellationToken.None));
        Assert.NotNull(await store.GetManifestAsync(a, day, CancellationToken.None));
        Assert.Null(await store.GetManifestAsync(b, day, CancellationToken.None));
        var before = await ClearingScenario.DownloadAsync(azurite, ClearingStore.CsvPath(a, day));

        await using var again = scenario.Services(clock);
        var report = Assert.IsType<ClearingOutcome.Published>(await again.GetRequiredService<ClearingWriter>().ClearAsync(day, CancellationToken.None)).Report;
        Assert.Equal("0.00", report.TotalNet);
        Assert.Equal(before, await ClearingScenario.DownloadAsync(azurite, ClearingStore.CsvPath(a, day)));
        Assert.Equal("1.00", (await store.GetManifestAsync(b, day, CancellationToken.None))!.Net);
    }

    [Fact]
    public async Task An_open_day_is_refused_and_a_day_without_entries_still_gets_files()
    {
        var day = new DateOnly(2032, 6, 1);
        var chainId = SampleReceipts.NewChainId("empty");
        var scenario = new ClearingScenario(azurite);
        await using var services = scenario.Services();
        await scenario.RegisterAsync(services, ClearingScenario.Local(day, 8), chainId);
        var writer = services.GetRequiredService<ClearingWriter>();

        // Midnight has passed, the grace period has not.
        scenario.Clock.SetUtcNow(ClearingScenario.Local(day.AddDays(1), 0, 10));
        var open = Assert.IsType<ClearingOutcome.DayOpen>(await writer.ClearAsync(day, CancellationToken.None));
        Assert.Equal(ClearingScenario.Local(day.AddDays(1), 0, 30), open.ClearableFrom);
        Assert.Null(await services.GetRequiredService<ClearingStore>().GetManifestAsync(chainId, day, CancellationToken.None));

        scenario.Clock.SetUtcNow(ClearingScenario.Local(day.AddDays(1), 0, 30));
        Assert.IsType<ClearingOutcome.Published>(await writer.ClearAsync(day, CancellationToken.None));
        var manifest = (await services.GetRequiredService<ClearingStore>().GetManifestAsync(chainId, day, CancellationToken.None))!;
        Assert.Equal((0, "0.00", "0.00", "0.00", 0L, 0), (manifest.RowCount, manifest.Receivable, manifest.Payable, manifest.Net, manifest.OutstandingPoints, manifest.Counterparties.Count));
        var bytes = await ClearingScenario.DownloadAsync(azurite, ClearingStore.CsvPath(chainId, day));
        Assert.Empty(ClearingScenario.ParseCsv(bytes));
        Assert.Equal("\uFEFF" + string.Join(',', ClearingCsv.Columns) + "\r\n", System.Text.Encoding.UTF8.GetString(bytes));
    }

    /// <summary>The rows of <paramref name="chainId"/>'s file from the hand-made list: each movement from its side, sorted as clearing.md says.</summary>
    private static List<string> ExpectedRows(string chainId, DateOnly day, Owed[] owed)
    {
        var rows = new List<(string Counterparty, string Kind, string Reference, string Lot, string Line)>();
        foreach (var item in owed)
        {
            foreach (var (side, counterparty, sign) in new[] { (item.Redeemer, item.Issuer, 1), (item.Issuer, item.Redeemer, -1) })
            {
                if (side != chainId)
                {
                    continue;
                }

                var points = sign * item.Points;
                var line = string.Join(',', day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), chainId, counterparty, points > 0 ? "receivable" : "payable",
                    item.Kind, item.Reference, item.Lot, item.Store, item.Terminal, Pseudonyms.Of(chainId, item.Member), points, "0.01", (points / 100m).ToString("0.00", CultureInfo.InvariantCulture));
                rows.Add((counterparty, item.Kind, item.Reference, item.Lot, line));
            }
        }

        return [.. rows.OrderBy(row => row.Counterparty, StringComparer.Ordinal).ThenBy(row => row.Kind, StringComparer.Ordinal)
            .ThenBy(row => row.Reference, StringComparer.Ordinal).ThenBy(row => row.Lot, StringComparer.Ordinal).Select(row => row.Line)];
    }

    private sealed record Owed(string Issuer, string Redeemer, string Kind, string Reference, string Lot, long Points, string Store, string Terminal, string Member);

    private sealed record Expected(string Receivable, string Payable, string Net, (string, string, string, string)[] Counterparties, long Issued, long RedeemedHere, long Expired, long Outstanding);

    /// <summary>The process dies as the manifest of one chain is about to be written: its CSV is published, the manifest is not.</summary>
    private sealed class CrashOnManifest(string manifestPath) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Fail(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Fail(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Fail(HttpMessage message)
        {
            if (message.Request.Method == RequestMethod.Put && message.Request.Uri.Path.EndsWith("/" + manifestPath, StringComparison.Ordinal))
            {
                throw new IOException("The process died here.");
            }
        }
    }
}
