using System.Globalization;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PosGreenPoints.Contracts.Clearing;
using PosGreenPoints.Contracts.Events;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure.Events;
using PosGreenPoints.Functions.Infrastructure.Telemetry;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Functions.Clearing;

/// <summary>What clearing a day came to.</summary>
public abstract record ClearingOutcome
{
    private ClearingOutcome()
    {
    }

    /// <summary>This run completed the day (wrote its report, and the files that were missing).</summary>
    public sealed record Published(ClearingReport Report) : ClearingOutcome;

    /// <summary>The day was cleared already with the same bytes; nothing changed.</summary>
    public sealed record Unchanged(ClearingReport Report) : ClearingOutcome;

    /// <summary>The day has not ended in the clearing zone plus the grace period.</summary>
    public sealed record DayOpen(DateTimeOffset ClearableFrom) : ClearingOutcome;

    /// <summary>Published files of these chains differ from what the posting log gives now; they stay as published.</summary>
    public sealed record Diverged(IReadOnlyList<string> ChainIds) : ClearingOutcome;
}

/// <summary>
/// Generates and publishes one clearing day for the whole scheme (clearing.md). In order:
/// <list type="number">
/// <item>the expiry run, so that every expiry due by the day's end (dated at the lot's <c>expiresAt</c>,
/// written by the timer up to days late after downtime) is in the posting log before the day is read;</item>
/// <item>the day's posting log, one key range per member bucket, mapped (<see cref="ClearingMapping"/>) to two
/// file rows per clearing entry (issuer's and redeemer's side) sorted in flat memory by <see cref="ClearingSpool"/>,
/// and to each chain's counts and liability change;</item>
/// <item>per chain that existed that day (or has a row), in chain id order: its CSV streamed to a staging blob,
/// published once (If-None-Match), then its manifest, once;</item>
/// <item>the scheme's report, once, after every manifest: the day is cleared when it exists.</item>
/// </list>
/// A crash leaves some chains published; the next run regenerates the same bytes, finds those, and writes
/// the rest. Two runs at once write the same bytes and each write lands once.
/// </summary>
public sealed class ClearingWriter(
    ClearingStore store,
    MemberStore members,
    ChainRegistry chains,
    WalletExpiry expiry,
    MemberPseudonyms pseudonyms,
    PointsRules rules,
    EventPublisher events,
    IOptions<ClearingOptions> options,
    TimeProvider clock,
    ILogger<ClearingWriter> logger)
{
    public const string EventSource = "/posgreenpoints/clearing";

    private const int BucketConcurrency = 4;

    public TimeZoneInfo Zone => options.Value.Zone;

    public DateTimeOffset ClearableFrom(DateOnly day) => ChainCalendar.EndOf(day, Zone, options.Value.Grace);

    public DateOnly Today() => ChainCalendar.Today(clock, Zone);

    /// <summary>The first instant of <paramref name="day"/> in the clearing zone.</summary>
    public DateTimeOffset StartOf(DateOnly day) => day == DateOnly.MinValue ? DateTimeOffset.MinValue : ChainCalendar.EndOf(day.AddDays(-1), Zone);

    /// <summary>Whether <paramref name="chain"/> existed on <paramref name="day"/>: registered before the day ended (a chain of before registration times counts).</summary>
    public bool Existed(Chain chain, DateOnly day)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return chain.RegisteredAt is not { } at || at < ChainCalendar.EndOf(day, Zone);
    }

    public async Task<ClearingOutcome> ClearAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var clearableFrom = ClearableFrom(day);
        if (clock.GetUtcNow() < clearableFrom)
        {
            return new ClearingOutcome.DayOpen(clearableFrom);
        }

        var started = clock.GetTimestamp();
        // Time's postings dated in the day (expiries at their lot's date, releases of holds that ran out)
        // are written by timers that may be late: write them first, so the day is complete.
        await expiry.RunAsync(WalletDue.Expiry, cancellationToken);
        await expiry.RunAsync(WalletDue.Lapse, cancellationToken);

        var start = StartOf(day);
        var end = ChainCalendar.EndOf(day, Zone);
        var registered = await chains.ListAsync(cancellationToken);
        var figures = new DayFigures();
        using var spool = new ClearingSpool(options.Value.SortChunkRows);
        var entries = 0L;
        await ReadLogAsync(start, end, (memberId, entry) =>
        {
            var rows = new List<string>();
            foreach (var clearing in ClearingMapping.Entries(memberId, entry))
            {
                var (redeemer, issuer) = ClearingRow.Sides(clearing, pseudonyms);
                rows.Add(redeemer.SpoolKey());
                rows.Add(issuer.SpoolKey());
            }

            var movements = ClearingMapping.Movements(entry).ToList();
            lock (figures)
            {
                entries += rows.Count / 2;
                foreach (var row in rows)
                {
                    spool.Add(row);
                    figures.Touch(ClearingRow.ChainOf(row));
                }

                foreach (var movement in movements)
                {
                    figures.Add(movement);
                }
            }
        }, cancellationToken);

        var chainIds = registered.Where(chain => Existed(chain, day)).Select(chain => chain.ChainId)
            .Union(figures.ChainIds, StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        var baselines = await BaselinesAsync(day, start, chainIds, registered, cancellationToken);

        var rowsInOrder = new SortedRows(spool.Sorted().GetEnumerator());
        var manifests = new List<ClearingManifest>();
        var written = new List<ClearingManifest>();
        var diverged = new List<string>();
        foreach (var chainId in chainIds)
        {
            var (manifest, wrote, sameBytes) = await PublishChainAsync(chainId, day, rowsInOrder.Of(chainId), figures.Of(chainId), baselines[chainId], cancellationToken);
            if (!sameBytes)
            {
                diverged.Add(chainId);
            }

            manifests.Add(manifest);
            if (wrote)
            {
                written.Add(manifest);
            }
        }

        if (diverged.Count > 0)
        {
            // A published day never changes; the operators are told, the files stay.
            logger.LogError("Clearing of {ClearingDate}: the posting log now gives other files for {Chains} than are published; the published files stay", day, string.Join(", ", diverged));
            return new ClearingOutcome.Diverged(diverged);
        }

        foreach (var manifest in written)
        {
            PosGreenPointsTelemetry.ClearingRowsWritten(manifest.ChainId, manifest.RowCount);
            PosGreenPointsTelemetry.OutstandingLiability(manifest.ChainId, manifest.OutstandingPoints);
        }

        await events.PublishAsync(
            written.Select(manifest => new CloudEvent<ClearingManifest>(
                $"clearing.published:{manifest.ChainId}:{day:yyyy-MM-dd}",
                EventSource,
                EventTypes.ClearingPublished,
                ClearingStore.ManifestPath(manifest.ChainId, day),
                clock.GetUtcNow(),
                manifest)).ToList(),
            cancellationToken);

        var report = Report(day, manifests);
        if (!await store.WriteOnceAsync(ClearingStore.ReportPath(day), report, cancellationToken))
        {
            return new ClearingOutcome.Unchanged(await store.GetReportAsync(day, cancellationToken) ?? report);
        }

        logger.LogInformation(
            "Clearing of {ClearingDate} published: {ChainCount} chains, {EntryCount} clearing entries, total net {TotalNet}",
            day, manifests.Count, entries, report.TotalNet);
        PosGreenPointsTelemetry.ClearingCompleted(clock.GetElapsedTime(started));
        return new ClearingOutcome.Published(report);
    }

    /// <summary>The scheme's report from the chains' manifests: their nets sum to exactly 0.00, as every row has its mirror.</summary>
    public static ClearingReport Report(DateOnly day, IReadOnlyList<ClearingManifest> manifests)
    {
        ArgumentNullException.ThrowIfNull(manifests);
        var ordered = manifests.OrderBy(manifest => manifest.ChainId, StringComparer.Ordinal).ToList();
        return new ClearingReport(
            day,
            [.. ordered.Select(manifest => new ClearingReportChain(manifest.ChainId, manifest.Net, manifest.Receivable, manifest.Payable))],
            ClearingCsv.Money(ordered.Sum(manifest => Parse(manifest.Net))),
            ordered.Sum(manifest => manifest.OutstandingPoints),
            ClearingCsv.Money(ordered.Sum(manifest => Parse(manifest.OutstandingValue))));
    }

    private static decimal Parse(string money) =>
        decimal.Parse(money, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);

    /// <summary>
    /// Each chain's liability at the start of the day: the previous day's manifest when there is one (the
    /// usual case, days are cleared in order), 0 for a chain registered during the day (no lot predates its
    /// chain), else the sum of the whole posting log before the day, read once for all chains that need it
    /// (docs/decisions.md, "Clearing").
    /// </summary>
    private async Task<Dictionary<string, long>> BaselinesAsync(DateOnly day, DateTimeOffset start, List<string> chainIds, IReadOnlyList<Chain> registered, CancellationToken cancellationToken)
    {
        var baselines = new Dictionary<string, long>(StringComparer.Ordinal);
        var registeredAt = registered.ToDictionary(chain => chain.ChainId, chain => chain.RegisteredAt, StringComparer.Ordinal);
        var unknown = new List<string>();
        foreach (var chainId in chainIds)
        {
            if (day > DateOnly.MinValue && await store.GetManifestAsync(chainId, day.AddDays(-1), cancellationToken) is { } previous)
            {
                baselines[chainId] = previous.OutstandingPoints;
            }
            else if (registeredAt.TryGetValue(chainId, out var at) && at is { } since && since >= start)
            {
                baselines[chainId] = 0;
            }
            else
            {
                unknown.Add(chainId);
            }
        }

        if (unknown.Count > 0)
        {
            var before = new DayFigures();
            await ReadLogAsync(DateTimeOffset.UnixEpoch, start, (_, entry) =>
            {
                var movements = ClearingMapping.Movements(entry).ToList();
                lock (before)
                {
                    foreach (var movement in movements)
                    {
                        before.Add(movement);
                    }
                }
            }, cancellationToken);
            foreach (var chainId in unknown)
            {
                baselines[chainId] = before.Of(chainId).Outstanding;
            }
        }

        return baselines;
    }

    private async Task ReadLogAsync(DateTimeOffset from, DateTimeOffset to, Action<string, StatementEntry> onEntry, CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(members.Buckets, new ParallelOptions { MaxDegreeOfParallelism = BucketConcurrency, CancellationToken = cancellationToken }, async (bucket, token) =>
        {
            await foreach (var (memberId, entries) in members.ReadPostingLogAsync(bucket, from, to, token))
            {
                foreach (var entry in entries)
                {
                    onEntry(memberId, entry);
                }
            }
        });

    /// <returns>The chain's manifest (this run's or the one published before), whether this run wrote it, and whether the published CSV is the one generated now.</returns>
    private async Task<(ClearingManifest Manifest, bool Wrote, bool SameBytes)> PublishChainAsync(
        string chainId, DateOnly day, IEnumerable<ClearingRow> rows, ChainFigures figures, long baseline, CancellationToken cancellationToken)
    {
        var container = await store.ContainerAsync(cancellationToken);
        var csvPath = ClearingStore.CsvPath(chainId, day);
        var final = container.GetBlockBlobClient(csvPath);
        var staging = container.GetBlockBlobClient($"{csvPath}.{Guid.NewGuid():N}.tmp");
        ClearingFileTotals totals;
        bool csvWritten;
        try
        {
            var stream = await staging.OpenWriteAsync(
                overwrite: true,
                new BlockBlobOpenWriteOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "text/csv; charset=utf-8" } },
                cancellationToken);
            await using (stream.ConfigureAwait(false))
            {
                totals = await ClearingCsv.WriteAsync(chainId, day, rows, stream, cancellationToken);
            }

            csvWritten = await SettlementStore.PublishOnceAsync(
                final, staging, new Dictionary<string, string> { [SettlementStore.Sha256Metadata] = totals.Sha256 }, cancellationToken);
        }
        finally
        {
            // Not the caller's token: a staging blob must not outlive a cancelled run.
            await staging.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
        }

        var sameBytes = true;
        if (!csvWritten)
        {
            var properties = await final.GetPropertiesAsync(cancellationToken: cancellationToken);
            var published = properties.Value.Metadata.TryGetValue(SettlementStore.Sha256Metadata, out var sha256) ? sha256 : "";
            sameBytes = string.Equals(published, totals.Sha256, StringComparison.Ordinal);
        }

        var outstanding = baseline + figures.Outstanding;
        var manifest = new ClearingManifest(
            SchemaVersion: 1,
            chainId,
            day,
            Zone.Id,
            totals.Counterparties,
            ClearingCsv.Money(totals.Receivable),
            ClearingCsv.Money(totals.Payable),
            ClearingCsv.Money(totals.Net),
            figures.Issued,
            figures.RedeemedHere,
            figures.Expired,
            outstanding,
            ClearingCsv.Money(outstanding * rules.Wallet.YuanPerPoint),
            totals.RowCount,
            new ClearingFile(ClearingCsv.FileName(chainId, day), totals.Bytes, totals.Sha256),
            GeneratedAt());
        if (sameBytes && await store.WriteOnceAsync(ClearingStore.ManifestPath(chainId, day), manifest, cancellationToken))
        {
            return (manifest, true, true);
        }

        // Published before (generatedAt stays the first run's), or by a generator running at once; or diverged
        // and never published: the file that is there is what the manifest must describe.
        var existing = await store.GetManifestAsync(chainId, day, cancellationToken);
        return (existing ?? manifest, false, sameBytes);
    }

    /// <summary>Clearing-zone time with its offset, to the second.</summary>
    private DateTimeOffset GeneratedAt()
    {
        var local = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Zone);
        return local.AddTicks(-(local.Ticks % TimeSpan.TicksPerSecond));
    }

    /// <summary>The sorted rows of the whole day, handed out chain by chain in chain id order (internal for the benchmark, which writes a day as this writer does).</summary>
    internal sealed class SortedRows(IEnumerator<string> rows)
    {
        private bool _more = rows.MoveNext();

        public IEnumerable<ClearingRow> Of(string chainId)
        {
            while (_more)
            {
                var order = string.CompareOrdinal(ClearingRow.ChainOf(rows.Current), chainId);
                if (order > 0)
                {
                    yield break;
                }

                if (order < 0)
                {
                    throw new InvalidOperationException($"A row of {ClearingRow.ChainOf(rows.Current)} came with no file to go to.");
                }

                yield return ClearingRow.FromSpoolKey(rows.Current);
                _more = rows.MoveNext();
            }
        }
    }
}

/// <summary>One chain's informational counts and liability change over a span of the posting log.</summary>
public sealed class ChainFigures
{
    public long Issued { get; set; }

    public long RedeemedHere { get; set; }

    public long Expired { get; set; }

    public long Outstanding { get; set; }
}

/// <summary>The <see cref="ChainFigures"/> of every chain a span of the posting log touched.</summary>
public sealed class DayFigures
{
    private readonly Dictionary<string, ChainFigures> _chains = new(StringComparer.Ordinal);

    public IEnumerable<string> ChainIds => _chains.Keys;

    public ChainFigures Of(string chainId) => _chains.TryGetValue(chainId, out var figures) ? figures : new ChainFigures();

    public void Touch(string chainId) => Get(chainId);

    public void Add(ChainMovement movement)
    {
        ArgumentNullException.ThrowIfNull(movement);
        var figures = Get(movement.ChainId);
        figures.Issued += movement.Issued;
        figures.RedeemedHere += movement.RedeemedHere;
        figures.Expired += movement.Expired;
        figures.Outstanding += movement.Outstanding;
    }

    private ChainFigures Get(string chainId)
    {
        if (!_chains.TryGetValue(chainId, out var figures))
        {
            figures = new ChainFigures();
            _chains[chainId] = figures;
        }

        return figures;
    }
}
