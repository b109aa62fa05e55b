using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PosGreenPoints.Contracts.Events;
using PosGreenPoints.Contracts.Settlements;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure.Events;
using PosGreenPoints.Functions.Infrastructure.Telemetry;
using PosGreenPoints.Functions.Points;

namespace PosGreenPoints.Functions.Settlement;

/// <summary>What settling a day came to.</summary>
public abstract record SettlementOutcome
{
    private SettlementOutcome()
    {
    }

    /// <summary>This run published the day.</summary>
    public sealed record Published(SettlementManifest Manifest) : SettlementOutcome;

    /// <summary>The day was published already with the same bytes; nothing changed.</summary>
    public sealed record Unchanged(SettlementManifest Manifest) : SettlementOutcome;

    /// <summary>The day has not ended in the chain's zone plus the grace period; it can be settled from <paramref name="SettleableFrom"/>.</summary>
    public sealed record DayOpen(DateTimeOffset SettleableFrom) : SettlementOutcome;

    /// <summary>The published file differs from what the ledger gives now. It stays as published.</summary>
    public sealed record Diverged(string PublishedSha256, string GeneratedSha256) : SettlementOutcome;
}

/// <summary>
/// Generates and publishes one chain's settlement day (settlement.md): streams the ledger's postings
/// through the CSV writer into a staging blob, then publishes it under its final name with
/// If-None-Match: *, and only then the manifest, with If-None-Match: * too. No lease: the two
/// conditional writes are what makes a second generator (a timer on another instance, an operator's
/// run) harmless, as it either wins a write or finds the same bytes there already.
/// </summary>
public sealed class SettlementWriter(
    SettlementStore store,
    Ledger ledger,
    MemberPseudonyms pseudonyms,
    EventPublisher events,
    IOptions<SettlementOptions> options,
    TimeProvider clock,
    ILogger<SettlementWriter> logger)
{
    public const string EventSource = "/posgreenpoints/settlement";

    /// <summary>When the day has ended in the chain's zone, plus <see cref="SettlementOptions.Grace"/>.</summary>
    public DateTimeOffset SettleableFrom(Chain chain, DateOnly postingDate)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return ChainCalendar.EndOf(postingDate, chain.TimeZone, options.Value.Grace);
    }

    public DateOnly Today(Chain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return ChainCalendar.Today(clock, chain.TimeZone);
    }

    public async Task<SettlementOutcome> SettleAsync(Chain chain, DateOnly postingDate, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var settleableFrom = SettleableFrom(chain, postingDate);
        if (clock.GetUtcNow() < settleableFrom)
        {
            return new SettlementOutcome.DayOpen(settleableFrom);
        }

        var started = clock.GetTimestamp();
        var container = await store.ContainerAsync(cancellationToken);
        var csvPath = SettlementStore.CsvPath(chain.ChainId, postingDate);
        var final = container.GetBlockBlobClient(csvPath);
        var staging = container.GetBlockBlobClient($"{csvPath}.{Guid.NewGuid():N}.tmp");
        SettlementTotals totals;
        bool csvWritten;
        try
        {
            var stream = await staging.OpenWriteAsync(
                overwrite: true,
                new BlockBlobOpenWriteOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "text/csv; charset=utf-8" } },
                cancellationToken);
            await using (stream.ConfigureAwait(false))
            {
                totals = await SettlementCsv.WriteAsync(chain.ChainId, ledger.ReadDayAsync(chain.ChainId, postingDate, cancellationToken), stream, pseudonyms, cancellationToken);
            }

            csvWritten = await SettlementStore.PublishOnceAsync(
                final, staging, new Dictionary<string, string> { [SettlementStore.Sha256Metadata] = totals.Sha256 }, cancellationToken);
        }
        finally
        {
            // Not the caller's token: a staging blob must not outlive a cancelled run.
            await staging.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
        }

        if (!csvWritten)
        {
            var properties = await final.GetPropertiesAsync(cancellationToken: cancellationToken);
            var published = properties.Value.Metadata.TryGetValue(SettlementStore.Sha256Metadata, out var sha256) ? sha256 : "";
            if (!string.Equals(published, totals.Sha256, StringComparison.Ordinal))
            {
                // The scorer never posts on a day after its end plus half the grace, and settlement waits for
                // the full grace, so this means the ledger was changed by hand or a clock was badly off.
                logger.LogError(
                    "Settlement of {ChainId} for {PostingDate}: the ledger now gives a file with SHA-256 {Generated}, but {Published} is published; the published file stays",
                    chain.ChainId, postingDate, totals.Sha256, published);
                return new SettlementOutcome.Diverged(published, totals.Sha256);
            }
        }

        // Reached also when an earlier run published the CSV and died before its manifest: this completes it.
        var manifest = totals.ToManifest(chain.ChainId, postingDate, chain.TimeZone.Id, GeneratedAt(chain));
        try
        {
            await container.GetBlobClient(SettlementStore.ManifestPath(chain.ChainId, postingDate)).UploadAsync(
                BinaryData.FromObjectAsJson(manifest, SettlementStore.Json),
                new BlobUploadOptions
                {
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                },
                cancellationToken);
        }
        catch (RequestFailedException failure) when (failure.Status is 409 or 412)
        {
            // Published before (generatedAt stays that of the first run), or by a generator running at once.
            var existing = await store.GetManifestAsync(chain.ChainId, postingDate, cancellationToken)
                ?? throw new InvalidOperationException($"The manifest of {chain.ChainId} for {postingDate} exists and cannot be read.", failure);
            return new SettlementOutcome.Unchanged(existing);
        }

        logger.LogInformation(
            "Settlement of {ChainId} for {PostingDate} published: {RowCount} rows, {NetPoints} net points",
            chain.ChainId, postingDate, manifest.RowCount, manifest.NetPoints);
        PosGreenPointsTelemetry.SettlementRowsWritten(chain.ChainId, manifest.RowCount);
        PosGreenPointsTelemetry.SettlementCompleted(chain.ChainId, clock.GetElapsedTime(started));
        await events.PublishAsync(
            new CloudEvent<SettlementManifest>(
                $"settlement.published:{chain.ChainId}:{postingDate:yyyy-MM-dd}",
                EventSource,
                EventTypes.SettlementPublished,
                SettlementStore.ManifestPath(chain.ChainId, postingDate),
                clock.GetUtcNow(),
                manifest),
            cancellationToken);
        return new SettlementOutcome.Published(manifest);
    }

    /// <summary>Chain-local time with its offset, to the second, as settlement.md shows it.</summary>
    private DateTimeOffset GeneratedAt(Chain chain)
    {
        var local = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), chain.TimeZone);
        return local.AddTicks(-(local.Ticks % TimeSpan.TicksPerSecond));
    }
}
