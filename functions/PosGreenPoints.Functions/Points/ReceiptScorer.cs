using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PosGreenPoints.Contracts.Events;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Infrastructure.Events;
using PosGreenPoints.Functions.Infrastructure.Telemetry;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Points;

/// <summary>What scoring one receipt of a message came to.</summary>
public enum ScoringResult
{
    Scored,
    AlreadyScored,

    /// <summary>The receipt belongs to another scoring message (it was a duplicate in this one).</summary>
    NotOwned,

    /// <summary>The message names a receipt that was never stored; nothing to do.</summary>
    Orphan,

    /// <summary>A return whose original sale is not scored yet.</summary>
    WaitingForOriginal,
}

/// <summary>
/// Scores one receipt exactly once, in steps that are each idempotent, so that a redelivered message,
/// a second instance or a crash between any two steps never posts twice or loses a posting:
/// <list type="number">
/// <item>decide (classify with one list snapshot, line points, receipt cap, posting date) and write the
/// decision to the receipt under its ETag — the first decision stands;</item>
/// <item>post to the member in one transaction with a per-receipt marker (member daily cap, balance);</item>
/// <item>write the ledger postings (keyed by receipt and line: a rewrite replaces);</item>
/// <item>publish the event (stable id: at least once, de-duplicable);</item>
/// <item>mark the receipt scored.</item>
/// </list>
/// </summary>
public sealed class ReceiptScorer(
    TableServiceClient tables,
    BlobServiceClient blobs,
    QueueServiceClient queues,
    StorageProvisioner provisioner,
    ChainRegistry chains,
    ClassificationIndexProvider index,
    PointsRules rules,
    Ledger ledger,
    MemberAccounts members,
    EventPublisher events,
    TimeProvider clock,
    IOptions<ScoringOptions> options,
    ILogger<ReceiptScorer> logger)
{
    private const string DecisionProperty = "Decision";
    private const string ReturnsProperty = "Returns";
    private const string ReturnWaitsProperty = "ReturnWaits";
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    private readonly ProvisionedTable _receipts = new(provisioner, tables, StorageNames.Tables.Receipts);
    private readonly BlobContainerClient _bodies = blobs.GetBlobContainerClient(StorageNames.Containers.Receipts);
    private readonly QueueClient _scoringQueue = queues.GetQueueClient(StorageNames.Queues.ReceiptsToScore);

    public async Task<ScoringResult> ScoreAsync(string receiptId, string messageId, DateTimeOffset messageInsertedAt, CancellationToken cancellationToken)
    {
        if (!ReceiptKey.TryParse(receiptId, out var key))
        {
            return ScoringResult.Orphan;
        }

        var table = await _receipts.GetAsync(cancellationToken);
        var stored = await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
        if (!stored.HasValue)
        {
            if (clock.GetUtcNow() - messageInsertedAt > options.Value.OrphanAfter)
            {
                logger.LogWarning("Scoring message {MessageId} names receipt {ReceiptId}, which was never stored; dropped", messageId, receiptId);
                return ScoringResult.Orphan;
            }

            throw new ReceiptNotStoredYetException(receiptId);
        }

        var entity = stored.Value!;
        if (entity.GetString(nameof(ReceiptRecord.ScoringMessageId)) != messageId)
        {
            return ScoringResult.NotOwned;
        }

        if (entity.GetString(nameof(ReceiptRecord.Status)) == ReceiptStatuses.Scored)
        {
            return ScoringResult.AlreadyScored;
        }

        var receipt = await LoadBodyAsync(entity, cancellationToken);
        var chain = await chains.GetAsync(receipt.ChainId, cancellationToken)
            ?? throw new InvalidOperationException($"Chain {receipt.ChainId} of receipt {receiptId} is not registered.");

        var lastWait = (entity.GetInt32(ReturnWaitsProperty) ?? 0) >= options.Value.MaxReturnWaits;
        var decision = LongText.Get(entity, DecisionProperty) is { } decided ? JsonSerializer.Deserialize<ScoringDecision>(decided, Json)! : null;
        if (decision is null)
        {
            decision = receipt.IsReturn
                ? await DecideReturnAsync(table, key, receipt, chain.TimeZone, lastWait, cancellationToken)
                : await DecideSaleAsync(receipt, chain.TimeZone, cancellationToken);
            if (decision is null)
            {
                return ScoringResult.WaitingForOriginal;
            }

            (entity, decision) = await SaveDecisionAsync(table, entity, decision, cancellationToken);
        }

        (entity, decision) = await KeepPostingDayOpenAsync(table, entity, key, decision, chain.TimeZone, cancellationToken);

        IReadOnlyDictionary<int, long> finalPoints;
        using (PosGreenPointsTelemetry.ActivitySource.StartActivity("post to member"))
        {
            finalPoints = await PostToMemberAsync(key.ReceiptId, receipt, decision, cancellationToken);
        }

        var notes = decision.Notes.ToList();
        if (!receipt.IsReturn && finalPoints.Sum(pair => pair.Value) < decision.Lines.Sum(line => line.Points))
        {
            notes.Add(PointsCalculator.MemberDailyCapNote);
        }

        var lines = decision.Lines.Select(line => line with { Points = finalPoints.GetValueOrDefault(line.LineNumber, line.Points) }).ToList();
        using (PosGreenPointsTelemetry.ActivitySource.StartActivity("write ledger"))
        {
            await ledger.WriteAsync(lines.Where(line => line.Qualifies).Select(line => Posting(key, receipt, decision, line)).ToList(), cancellationToken);
        }

        var points = lines.Sum(line => line.Points);
        using (PosGreenPointsTelemetry.ActivitySource.StartActivity("publish event"))
        {
            await events.PublishAsync(new CloudEvent<ReceiptScoredData>(
            $"{(receipt.IsReturn ? EventTypes.PointsReversed : EventTypes.ReceiptScored)}:{key.ReceiptId}",
            "/posgreenpoints/scoring",
            receipt.IsReturn ? EventTypes.PointsReversed : EventTypes.ReceiptScored,
            key.ReceiptId,
            clock.GetUtcNow(),
            new ReceiptScoredData(key.ReceiptId, receipt.ChainId, receipt.StoreId, receipt.Type, receipt.BusinessDate, decision.PostingDate, decision.MemberId, points, notes)), cancellationToken);
        }

        await MarkScoredAsync(table, entity, lines, points, notes, cancellationToken);
        CountScored(receipt, entity, lines, points);
        logger.LogInformation("Scored receipt {ReceiptId} of chain {ChainId} store {StoreId}: {Points} points", key.ReceiptId, receipt.ChainId, receipt.StoreId, points);
        return ScoringResult.Scored;
    }

    private void CountScored(ValidatedReceipt receipt, TableEntity entity, IReadOnlyList<DecidedLine> lines, long points)
    {
        if (receipt.IsReturn)
        {
            PosGreenPointsTelemetry.PointsReversed(receipt.ChainId, -points);
        }
        else
        {
            // Return lines carry their sale's matches rather than being classified, so only sales count.
            foreach (var line in lines)
            {
                if (line.Matches.Count == 0)
                {
                    PosGreenPointsTelemetry.LineClassified(PosGreenPointsTelemetry.NoList);
                }

                foreach (var listId in line.Matches.Select(match => match.ListId).Distinct(StringComparer.Ordinal))
                {
                    PosGreenPointsTelemetry.LineClassified(listId);
                }
            }

            PosGreenPointsTelemetry.PointsAwarded(receipt.ChainId, points);
        }

        if (entity.GetDateTimeOffset(nameof(ReceiptRecord.AcceptedAt)) is { } acceptedAt)
        {
            PosGreenPointsTelemetry.ReceiptScored(receipt.ChainId, clock.GetUtcNow() - acceptedAt);
        }
    }

    /// <summary>
    /// Returns waiting for their original sale get a new scoring message that becomes visible later —
    /// 10 s, doubling with each wait up to 10 minutes — instead of a hot retry loop; each receipt is
    /// handed to the new message under its ETag, so only one message owns it.
    /// </summary>
    public async Task RequeueWaitingAsync(IReadOnlyList<string> receiptIds, string messageId, CancellationToken cancellationToken)
    {
        var table = await _receipts.GetAsync(cancellationToken);
        foreach (var receiptId in receiptIds)
        {
            if (!ReceiptKey.TryParse(receiptId, out var key))
            {
                continue;
            }

            var entity = (await table.GetEntityAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken)).Value;
            if (entity.GetString(nameof(ReceiptRecord.ScoringMessageId)) != messageId)
            {
                continue;
            }

            var waits = entity.GetInt32(ReturnWaitsProperty) ?? 0;
            var delay = TimeSpan.FromSeconds(Math.Min(600, 10 * Math.Pow(2, waits)));
            var sent = await _scoringQueue.SendMessageAsync(JsonSerializer.Serialize(new ScoringMessage([receiptId], PosGreenPointsTelemetry.CurrentTraceparent()), Json), visibilityTimeout: delay, cancellationToken: cancellationToken);
            var update = new TableEntity(key.PartitionKey, key.RowKey)
            {
                [nameof(ReceiptRecord.ScoringMessageId)] = sent.Value.MessageId,
                [ReturnWaitsProperty] = waits + 1,
            };
            await table.UpdateEntityAsync(update, entity.ETag, TableUpdateMode.Merge, cancellationToken);
        }
    }

    /// <summary>Records why scoring failed, for the operator; best effort, as storage may be what failed.</summary>
    public async Task RecordFailureAsync(string receiptId, string reason, bool final, CancellationToken cancellationToken)
    {
        if (!ReceiptKey.TryParse(receiptId, out var key))
        {
            return;
        }

        try
        {
            var table = await _receipts.GetAsync(cancellationToken);
            var entity = new TableEntity(key.PartitionKey, key.RowKey) { ["LastFailure"] = reason[..Math.Min(reason.Length, 1000)] };
            if (final)
            {
                entity[nameof(ReceiptRecord.Status)] = ReceiptStatuses.Failed;
                entity[nameof(ReceiptRecord.Notes)] = JsonSerializer.Serialize(new[] { "scoring-failed: " + reason[..Math.Min(reason.Length, 300)] }, Json);
            }

            var current = await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, select: [nameof(ReceiptRecord.Status)], cancellationToken: cancellationToken);
            if (current.HasValue && current.Value!.GetString(nameof(ReceiptRecord.Status)) != ReceiptStatuses.Scored)
            {
                await table.UpdateEntityAsync(entity, current.Value.ETag, TableUpdateMode.Merge, cancellationToken);
            }
        }
        catch (Exception failure) when (failure is RequestFailedException or AggregateException)
        {
            logger.LogWarning("Recording the failure of receipt {ReceiptId} failed too: {Reason}", receiptId, LogRedaction.Describe(failure));
        }
    }

    private async Task<ScoringDecision> DecideSaleAsync(ValidatedReceipt receipt, TimeZoneInfo timeZone, CancellationToken cancellationToken)
    {
        var snapshot = await index.GetCurrentAsync(cancellationToken);
        var classified = receipt.Lines.Select(line => new ClassifiedLine(
            line.LineNumber,
            line.Gtin14,
            line.Amount,
            line.Gtin14 is null ? [] : snapshot.Classify(line.Gtin14, receipt.BusinessDate)));
        var (lines, capped) = PointsCalculator.ScoreSale(classified, rules);
        var quantities = receipt.Lines.ToDictionary(line => line.LineNumber, line => line.Quantity);
        return new ScoringDecision(
            Today(timeZone),
            clock.GetUtcNow(),
            rules.Version,
            receipt.MemberId,
            lines.Select(line => new DecidedLine(line.LineNumber, line.Gtin14, quantities[line.LineNumber], line.QualifyingAmount, line.Points, line.Matches)).ToList(),
            capped ? [PointsCalculator.ReceiptCapNote] : []);
    }

    /// <summary>
    /// Decides a return against its original sale. What the original's returns took back lives on the
    /// original, updated under its ETag, so concurrent returns of one sale never reverse more than was
    /// awarded; the decision is kept there too, so deciding again finds it.
    /// </summary>
    /// <returns>The decision, or null while the original is accepted but not scored yet.</returns>
    private async Task<ScoringDecision?> DecideReturnAsync(TableClient table, ReceiptKey key, ValidatedReceipt receipt, TimeZoneInfo timeZone, bool lastWait, CancellationToken cancellationToken)
    {
        var reference = receipt.OriginalReceipt!;
        var originalKey = new ReceiptKey(receipt.ChainId, reference.StoreId, reference.BusinessDate, reference.TerminalId, reference.ReceiptNumber);
        while (true)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(originalKey.PartitionKey, originalKey.RowKey, cancellationToken: cancellationToken);
            if (!found.HasValue || found.Value!.GetString(nameof(ReceiptRecord.Type)) != ReceiptTypes.Sale)
            {
                return Unmatched(receipt, timeZone, PointsCalculator.OriginalNotFoundNote);
            }

            var original = found.Value;
            var status = original.GetString(nameof(ReceiptRecord.Status));
            if (status != ReceiptStatuses.Scored)
            {
                return status == ReceiptStatuses.Accepted && !lastWait ? null : Unmatched(receipt, timeZone, "original-not-scored");
            }

            var state = LongText.Get(original, ReturnsProperty) is { } text ? JsonSerializer.Deserialize<ReturnsState>(text, Json)! : ReturnsState.None;
            if (state.Decisions.TryGetValue(key.ReceiptId, out var earlier))
            {
                return earlier;
            }

            var originalDecision = JsonSerializer.Deserialize<ScoringDecision>(LongText.Get(original, DecisionProperty)!, Json)!;
            var awarded = JsonSerializer.Deserialize<List<ReceiptLineStatusView>>(LongText.Get(original, nameof(ReceiptRecord.ScoredLines)) ?? "[]", Json)!
                .ToDictionary(line => line.LineNumber, line => line.Points);
            var returned = state.Lines.ToDictionary(pair => pair.Key, pair => pair.Value);
            var notes = new List<string>();
            var lines = new List<DecidedLine>();
            foreach (var line in receipt.Lines)
            {
                var originalLine = originalDecision.Lines.FirstOrDefault(candidate => candidate.LineNumber == line.OriginalLineNumber);
                if (originalLine is not { Qualifies: true })
                {
                    lines.Add(new DecidedLine(line.LineNumber, line.Gtin14, line.Quantity, 0m, 0, []));
                    continue;
                }

                var before = returned.GetValueOrDefault(originalLine.LineNumber, new ReturnedLine(0m, 0));
                var reversal = PointsCalculator.ReverseLine(line.LineNumber,
                    line.Quantity,
                    new ReturnableLine(originalLine.LineNumber, originalLine.Quantity, awarded.GetValueOrDefault(originalLine.LineNumber), before.Quantity, before.ReversedPoints));
                if (reversal.OverReturn && !notes.Contains(PointsCalculator.OverReturnNote))
                {
                    notes.Add(PointsCalculator.OverReturnNote);
                }

                returned[originalLine.LineNumber] = new ReturnedLine(before.Quantity + reversal.ReturnedQuantity, before.ReversedPoints - reversal.Points);
                lines.Add(new DecidedLine(line.LineNumber, line.Gtin14, reversal.ReturnedQuantity, -line.Amount, reversal.Points, originalLine.Matches));
            }

            var decision = new ScoringDecision(Today(timeZone), clock.GetUtcNow(), rules.Version, originalDecision.MemberId, lines, notes);
            var decisions = state.Decisions.ToDictionary(pair => pair.Key, pair => pair.Value);
            decisions[key.ReceiptId] = decision;
            var update = new TableEntity(originalKey.PartitionKey, originalKey.RowKey);
            LongText.Set(update, ReturnsProperty, JsonSerializer.Serialize(new ReturnsState(returned, decisions), Json));
            try
            {
                await table.UpdateEntityAsync(update, original.ETag, TableUpdateMode.Merge, cancellationToken);
                return decision;
            }
            catch (RequestFailedException failure) when (failure.Status == 412)
            {
                // Another return of the same sale was decided meanwhile: decide again on the new totals.
            }
        }
    }

    private ScoringDecision Unmatched(ValidatedReceipt receipt, TimeZoneInfo timeZone, string note) => new(
        Today(timeZone),
        clock.GetUtcNow(),
        rules.Version,
        MemberId: null,
        receipt.Lines.Select(line => new DecidedLine(line.LineNumber, line.Gtin14, line.Quantity, 0m, 0, [])).ToList(),
        [note]);

    private static async Task<(TableEntity Entity, ScoringDecision Decision)> SaveDecisionAsync(TableClient table, TableEntity entity, ScoringDecision decision, CancellationToken cancellationToken)
    {
        var update = new TableEntity(entity.PartitionKey, entity.RowKey);
        LongText.Set(update, DecisionProperty, JsonSerializer.Serialize(decision, Json));
        try
        {
            var response = await table.UpdateEntityAsync(update, entity.ETag, TableUpdateMode.Merge, cancellationToken);

            // The merge is known: apply it here rather than reading the entity back (one operation less per receipt).
            foreach (var (name, value) in update.Where(pair => pair.Key is not ("PartitionKey" or "RowKey" or "odata.etag" or "Timestamp")))
            {
                entity[name] = value;
            }

            entity.ETag = response.Headers.ETag ?? default;
            return (entity, decision);
        }
        catch (RequestFailedException failure) when (failure.Status == 412)
        {
            // Another scorer decided first; its decision stands.
            var current = (await table.GetEntityAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken)).Value;
            return (current, JsonSerializer.Deserialize<ScoringDecision>(LongText.Get(current, DecisionProperty)!, Json)!);
        }
    }

    /// <summary>
    /// A settled day never changes: a decision whose posting day has ended (plus half the settlement
    /// grace, for clock skew) by the time its postings are written — a message replayed from the poison
    /// queue, say — moves to today, unless its postings were written already. Settlement runs only after
    /// the full grace, so no posting can land on a settled day.
    /// </summary>
    private async Task<(TableEntity Entity, ScoringDecision Decision)> KeepPostingDayOpenAsync(
        TableClient table, TableEntity entity, ReceiptKey key, ScoringDecision decision, TimeZoneInfo timeZone, CancellationToken cancellationToken)
    {
        var dayEnds = DayEnd(decision.PostingDate, timeZone);
        if (clock.GetUtcNow() < dayEnds + (options.Value.SettlementGrace / 2)
            || decision.Lines.FirstOrDefault(line => line.Qualifies) is not { } first
            || await ledger.HasPostingAsync(key.ChainId, decision.PostingDate, Ledger.RowKeyOf(key, first.LineNumber), cancellationToken))
        {
            return (entity, decision);
        }

        var moved = decision with { PostingDate = Today(timeZone) };
        var update = new TableEntity(entity.PartitionKey, entity.RowKey);
        LongText.Set(update, DecisionProperty, JsonSerializer.Serialize(moved, Json));
        await table.UpdateEntityAsync(update, entity.ETag, TableUpdateMode.Merge, cancellationToken);
        logger.LogWarning("Receipt {ReceiptId}: posting day {Old} ended before its postings were written; posted on {New}", key.ReceiptId, decision.PostingDate, moved.PostingDate);
        return ((await table.GetEntityAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken)).Value, moved);
    }

    private async Task<IReadOnlyDictionary<int, long>> PostToMemberAsync(string receiptId, ValidatedReceipt receipt, ScoringDecision decision, CancellationToken cancellationToken)
    {
        var decided = decision.Lines.ToDictionary(line => line.LineNumber, line => line.Points);
        if (decision.MemberId is null)
        {
            return decided;
        }

        return await members.PostAsync(decision.MemberId, receiptId, receipt.BusinessDate, earnedThatDay =>
        {
            if (receipt.IsReturn)
            {
                return decided;
            }

            var capped = PointsCalculator.ApplyMemberDailyCap(
                decision.Lines.Select(line => new LinePoints(line.LineNumber, line.Gtin14, line.QualifyingAmount, line.Points, line.Matches)).ToList(),
                earnedThatDay,
                rules).Lines;
            return capped.ToDictionary(line => line.LineNumber, line => line.Points);
        }, cancellationToken);
    }

    private static LedgerPosting Posting(ReceiptKey key, ValidatedReceipt receipt, ScoringDecision decision, DecidedLine line)
    {
        var matches = line.Matches.OrderBy(match => match.ListId, StringComparer.Ordinal).ToList();
        return new LedgerPosting
        {
            PartitionKey = Ledger.PartitionKeyOf(key.ChainId, decision.PostingDate),
            RowKey = Ledger.RowKeyOf(key, line.LineNumber),
            ChainId = key.ChainId,
            PostingDate = decision.PostingDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            BusinessDate = receipt.BusinessDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            StoreId = receipt.StoreId,
            TerminalId = receipt.TerminalId,
            ReceiptNumber = receipt.ReceiptNumber,
            ReceiptId = key.ReceiptId,
            ReceiptType = receipt.Type,
            MemberId = decision.MemberId,
            LineNumber = line.LineNumber,
            Gtin = line.Gtin14,
            ProductName = matches.Select(match => match.ProductName).FirstOrDefault(name => name is not null),
            MatchedLists = string.Join(';', matches.Select(match => match.ListId)),
            CertificateNumber = matches.Select(match => match.CertificateNumber).FirstOrDefault(number => number is not null),
            ListVersions = string.Join(';', matches.Select(match => match.ListVersion)),
            QualifyingAmount = line.QualifyingAmount.ToString("0.00", CultureInfo.InvariantCulture),
            Points = line.Points,
            RulesVersion = decision.RulesVersion,
        };
    }

    private async Task MarkScoredAsync(TableClient table, TableEntity entity, IReadOnlyList<DecidedLine> lines, long points, IReadOnlyList<string> notes, CancellationToken cancellationToken)
    {
        var update = new TableEntity(entity.PartitionKey, entity.RowKey)
        {
            [nameof(ReceiptRecord.Status)] = ReceiptStatuses.Scored,
            [nameof(ReceiptRecord.Points)] = points,
            [nameof(ReceiptRecord.Notes)] = JsonSerializer.Serialize(notes, Json),
            [nameof(ReceiptRecord.ScoredAt)] = clock.GetUtcNow(),
        };
        var scoredLines = lines.Where(line => line.Qualifies)
            .Select(line => new ReceiptLineStatusView(line.LineNumber, line.Gtin14, line.QualifyingAmount, line.Points,
                line.Matches.Select(match => new ListMatchView(match.ListId, match.ListVersion, match.CertificateNumber)).ToList()))
            .ToList();
        LongText.Set(update, nameof(ReceiptRecord.ScoredLines), JsonSerializer.Serialize(scoredLines, Json));

        // Whoever wrote the receipt since it was read (another scorer marking it scored with the same
        // values) has done this step already; a plain merge is idempotent here.
        await table.UpdateEntityAsync(update, ETag.All, TableUpdateMode.Merge, cancellationToken);
    }

    private async Task<ValidatedReceipt> LoadBodyAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        if (entity.GetString(nameof(ReceiptRecord.Body)) is { } body)
        {
            return ValidatedReceipt.FromCanonicalJson(body);
        }

        var blob = await _bodies.GetBlobClient(entity.GetString(nameof(ReceiptRecord.BodyBlob))).DownloadContentAsync(cancellationToken);
        return ValidatedReceipt.FromCanonicalJson(blob.Value.Content.ToString());
    }

    private DateOnly Today(TimeZoneInfo timeZone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), timeZone).DateTime);

    private static DateTimeOffset DayEnd(DateOnly day, TimeZoneInfo timeZone)
    {
        var localMidnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(localMidnight, timeZone.GetUtcOffset(localMidnight));
    }
}

/// <summary>A scoring message arrived before the receipt it names was stored; the message is tried again.</summary>
public sealed class ReceiptNotStoredYetException(string receiptId) : Exception($"Receipt {receiptId} is not stored yet.");
