using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.ExceptionServices;
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
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Functions.Wallet;

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

/// <summary>What scoring a message's receipts came to: a result per receipt, or why it failed (the message is then delivered again).</summary>
public sealed record BatchScoring(IReadOnlyDictionary<string, ScoringResult> Results, IReadOnlyDictionary<string, Exception> Failures);

/// <summary>
/// Scores the receipts of one message exactly once, in steps that are each idempotent, so that a
/// redelivered message, a second instance or a crash between any two steps never posts twice or loses
/// a posting. Each step takes the whole batch, so that a message of 100 receipts costs a few storage
/// operations per step rather than one per receipt:
/// <list type="number">
/// <item>read the message's receipts (one query per receipt partition) and decide each (classify with
/// one list snapshot, line points, receipt cap, posting date);</item>
/// <item>fix each decision before anything is posted: a member's receipt in the member transaction that
/// posts its points (<see cref="MemberStore"/>), any other receipt that posts on the receipt under its
/// ETag — in both the first decision stands;</item>
/// <item>write the ledger postings (keyed by receipt and line: a rewrite replaces);</item>
/// <item>publish the events (stable ids: at least once, de-duplicable);</item>
/// <item>mark the receipts scored.</item>
/// </list>
/// </summary>
public sealed class ReceiptScorer(
    ScoringReceipts receipts,
    QueueServiceClient queues,
    ChainRegistry chains,
    ClassificationIndexProvider index,
    PointsRules rules,
    Ledger ledger,
    MemberStore members,
    EventPublisher events,
    TimeProvider clock,
    IOptions<ScoringOptions> options,
    IOptions<ReceiptOptions> receiptOptions,
    IOptions<SettlementOptions> settlementOptions,
    ILogger<ReceiptScorer> logger)
{

    /// <summary>
    /// How long after the last moment a post of a return's original would be accepted the return still
    /// waits for it: a post accepted at that moment may take this long to be stored (retries included).
    /// </summary>
    private static readonly TimeSpan LatePostMargin = TimeSpan.FromHours(1);
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    private readonly QueueClient _scoringQueue = queues.GetQueueClient(StorageNames.Queues.ReceiptsToScore);

    /// <summary>Scores one receipt of a message; a failure is thrown.</summary>
    public async Task<ScoringResult> ScoreAsync(string receiptId, string messageId, DateTimeOffset messageInsertedAt, CancellationToken cancellationToken)
    {
        var scoring = await ScoreAsync([receiptId], messageId, messageInsertedAt, cancellationToken);
        if (scoring.Failures.TryGetValue(receiptId, out var failure))
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return scoring.Results[receiptId];
    }

    public async Task<BatchScoring> ScoreAsync(IReadOnlyList<string> receiptIds, string messageId, DateTimeOffset messageInsertedAt, CancellationToken cancellationToken)
    {
        var results = new ConcurrentDictionary<string, ScoringResult>(StringComparer.Ordinal);
        var failures = new ConcurrentDictionary<string, Exception>(StringComparer.Ordinal);
        var keys = new List<ReceiptKey>();
        foreach (var receiptId in receiptIds.Distinct(StringComparer.Ordinal))
        {
            if (ReceiptKey.TryParse(receiptId, out var key))
            {
                keys.Add(key);
            }
            else
            {
                results[receiptId] = ScoringResult.Orphan;
            }
        }

        var owned = await receipts.ReadOwnedAsync(keys, messageId, cancellationToken);
        foreach (var key in keys.Where(key => !owned.ContainsKey(key.ReceiptId)))
        {
            var stored = await receipts.FindAsync(key, cancellationToken);
            if (stored is null)
            {
                if (clock.GetUtcNow() - messageInsertedAt > options.Value.OrphanAfter)
                {
                    logger.LogWarning("Scoring message {MessageId} names receipt {ReceiptId}, which was never stored; dropped", messageId, key.ReceiptId);
                    results[key.ReceiptId] = ScoringResult.Orphan;
                }
                else
                {
                    failures[key.ReceiptId] = new ReceiptNotStoredYetException(key.ReceiptId);
                }
            }
            else if (stored.GetString(nameof(ReceiptRecord.ScoringMessageId)) == messageId)
            {
                // Stored just after the query looked.
                owned[key.ReceiptId] = stored;
            }
            else
            {
                results[key.ReceiptId] = ScoringResult.NotOwned;
            }
        }

        var keyById = keys.ToDictionary(key => key.ReceiptId, StringComparer.Ordinal);
        var work = new ConcurrentBag<ReceiptInScoring>();
        await Parallel.ForEachAsync(
            owned,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = cancellationToken },
            async (pair, token) =>
            {
                try
                {
                    if (pair.Value.GetString(nameof(ReceiptRecord.Status)) == ReceiptStatuses.Scored)
                    {
                        results[pair.Key] = ScoringResult.AlreadyScored;
                    }
                    else if (await DecideAsync(keyById[pair.Key], pair.Value, token) is { } decided)
                    {
                        work.Add(decided);
                    }
                    else
                    {
                        results[pair.Key] = ScoringResult.WaitingForOriginal;
                    }
                }
                catch (Exception failure) when (failure is not OperationCanceledException || !token.IsCancellationRequested)
                {
                    failures[pair.Key] = failure;
                }
            });

        if (!work.IsEmpty)
        {
            var batch = work.OrderBy(item => item.Key.ReceiptId, StringComparer.Ordinal).ToList();
            try
            {
                await PostAsync(batch, cancellationToken);
                foreach (var item in batch)
                {
                    results[item.Key.ReceiptId] = ScoringResult.Scored;
                }
            }
            catch (Exception failure) when (failure is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                foreach (var item in batch)
                {
                    failures[item.Key.ReceiptId] = failure;
                }
            }
        }

        return new BatchScoring(results, failures);
    }

    /// <summary>The decision written before, or a new one; null for a return whose original is not scored yet.</summary>
    private async Task<ReceiptInScoring?> DecideAsync(ReceiptKey key, TableEntity entity, CancellationToken cancellationToken)
    {
        var receipt = await receipts.LoadBodyAsync(entity, cancellationToken);
        var chain = await chains.GetAsync(receipt.ChainId, cancellationToken)
            ?? throw new InvalidOperationException($"Chain {receipt.ChainId} of receipt {key.ReceiptId} is not registered.");
        if (LongText.Get(entity, ReceiptRecord.ScoringColumns.Decision) is { } decided)
        {
            return new ReceiptInScoring(key, entity, receipt, chain.TimeZone, JsonSerializer.Deserialize<ScoringDecision>(decided, Json)!, decisionStored: true);
        }

        var decision = receipt.IsReturn
            ? await DecideReturnAsync(key, receipt, chain.TimeZone, cancellationToken)
            : await DecideSaleAsync(receipt, chain.TimeZone, cancellationToken);
        return decision is null ? null : new ReceiptInScoring(key, entity, receipt, chain.TimeZone, decision, decisionStored: false);
    }

    private async Task PostAsync(List<ReceiptInScoring> batch, CancellationToken cancellationToken)
    {
        // A receipt without a member that posts: its decision on the receipt, before any posting.
        var toSave = batch.Where(item => item.Decision.MemberId is null && !item.DecisionStored && item.Decision.Lines.Any(line => line.Qualifies)).ToList();
        if (toSave.Count > 0)
        {
            var standing = await receipts.SaveDecisionsAsync(toSave.Select(item => (item.Entity, item.Decision)).ToList(), cancellationToken);
            foreach (var item in toSave)
            {
                item.Decision = standing[(item.Entity.PartitionKey, item.Entity.RowKey)];
                item.DecisionStored = true;
            }
        }

        // A member's receipt, even one that earns nothing now: an earlier attempt may have posted with
        // another list version, and the marker it left is found only by posting again.
        var toMembers = batch.Where(item => item.Decision.MemberId is not null).ToList();
        if (toMembers.Count > 0)
        {
            using var activity = PosGreenPointsTelemetry.ActivitySource.StartActivity("post to member");
            var posted = await members.PostAsync(
                toMembers.Select(item => new MemberPosting(item.Decision.MemberId!, item.Key.ReceiptId, item.Key.ChainId, item.Receipt.OriginalKey?.ReceiptId, item.Receipt.BusinessDate, item.Decision, earned => MemberPoints(item, earned.Earned))).ToList(),
                cancellationToken);
            foreach (var item in toMembers)
            {
                var result = posted[item.Key.ReceiptId];
                item.Decision = result.Decision;
                item.FinalPoints = result.LinePoints;
            }
        }

        await Parallel.ForEachAsync(
            batch.Where(item => item.Decision.Lines.Any(line => line.Qualifies)),
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.Parallelism, CancellationToken = cancellationToken },
            KeepPostingDayOpenAsync);

        using (PosGreenPointsTelemetry.ActivitySource.StartActivity("write ledger"))
        {
            await ledger.WriteAsync(batch.SelectMany(item => item.Lines().Where(line => line.Qualifies).Select(line => Posting(item.Key, item.Receipt, item.Decision, line))).ToList(), cancellationToken);
        }

        using (PosGreenPointsTelemetry.ActivitySource.StartActivity("publish event"))
        {
            await events.PublishAsync(batch.Select(Event).ToList(), cancellationToken);
        }

        await receipts.MarkScoredAsync(batch.Select(Result).ToList(), cancellationToken);
        foreach (var item in batch)
        {
            var points = item.Lines().Sum(line => line.Points);
            CountScored(item.Receipt, item.Entity, item.Lines(), points);
            logger.LogInformation("Scored receipt {ReceiptId} of chain {ChainId} store {StoreId}: {Points} points", item.Key.ReceiptId, item.Receipt.ChainId, item.Receipt.StoreId, points);
        }
    }

    /// <summary>The member daily cap on a sale, given what the member earned that day before it; a return reverses what it decided.</summary>
    private Dictionary<int, long> MemberPoints(ReceiptInScoring item, long earnedThatDay)
    {
        if (item.Receipt.IsReturn)
        {
            return item.Decision.Lines.ToDictionary(line => line.LineNumber, line => line.Points);
        }

        var capped = PointsCalculator.ApplyMemberDailyCap(
            item.Decision.Lines.Select(line => new LinePoints(line.LineNumber, line.Gtin14, line.QualifyingAmount, line.Points, line.Matches)).ToList(),
            earnedThatDay,
            rules).Lines;
        return capped.ToDictionary(line => line.LineNumber, line => line.Points);
    }

    private CloudEvent<ReceiptScoredData> Event(ReceiptInScoring item)
    {
        var type = item.Receipt.IsReturn ? EventTypes.PointsReversed : EventTypes.ReceiptScored;
        return new CloudEvent<ReceiptScoredData>(
            $"{type}:{item.Key.ReceiptId}",
            "/posgreenpoints/scoring",
            type,
            item.Key.ReceiptId,
            clock.GetUtcNow(),
            new ReceiptScoredData(item.Key.ReceiptId, item.Receipt.ChainId, item.Receipt.StoreId, item.Receipt.Type, item.Receipt.BusinessDate,
                item.Decision.PostingDate, item.Decision.MemberId, item.Lines().Sum(line => line.Points), item.Notes()));
    }

    /// <summary>The receipt's results; its final decision too where it is not on the receipt yet (a return reads its sale's).</summary>
    private TableEntity Result(ReceiptInScoring item)
    {
        var lines = item.Lines();
        var update = new TableEntity(item.Entity.PartitionKey, item.Entity.RowKey)
        {
            [nameof(ReceiptRecord.Status)] = ReceiptStatuses.Scored,
            [nameof(ReceiptRecord.Points)] = lines.Sum(line => line.Points),
            [nameof(ReceiptRecord.Notes)] = JsonSerializer.Serialize(item.Notes(), Json),
            [nameof(ReceiptRecord.ScoredAt)] = clock.GetUtcNow(),
        };
        var scoredLines = lines.Where(line => line.Qualifies)
            .Select(line => new ReceiptLineStatusView(line.LineNumber, line.Gtin14, line.QualifyingAmount, line.Points,
                line.Matches.Select(match => new ListMatchView(match.ListId, match.ListVersion, match.CertificateNumber)).ToList()))
            .ToList();
        LongText.Set(update, nameof(ReceiptRecord.ScoredLines), JsonSerializer.Serialize(scoredLines, Json));
        if (!item.DecisionStored)
        {
            LongText.Set(update, ReceiptRecord.ScoringColumns.Decision, JsonSerializer.Serialize(item.Decision, Json));
        }

        return update;
    }

    /// <summary>
    /// A settled day never changes: a decision whose posting day has ended (plus half the settlement
    /// grace, for clock skew) by the time its postings are written — a message replayed from the poison
    /// queue, say — moves to today, unless its postings were written already. Settlement runs only after
    /// the full grace, so no posting can land on a settled day.
    /// </summary>
    private async ValueTask KeepPostingDayOpenAsync(ReceiptInScoring item, CancellationToken cancellationToken)
    {
        var closed = item.Decision.PostingDate;
        if (clock.GetUtcNow() < ChainCalendar.EndOf(closed, item.TimeZone, settlementOptions.Value.Grace / 2)
            || await ledger.HasPostingAsync(item.Key.ChainId, closed, Ledger.RowKeyOf(item.Key, item.Decision.Lines.First(line => line.Qualifies).LineNumber), cancellationToken))
        {
            return;
        }

        var today = Today(item.TimeZone);
        ScoringDecision? Move(ScoringDecision stored) => stored.PostingDate == closed ? stored with { PostingDate = today } : null;
        item.Decision = item.Decision.MemberId is { } memberId
            ? await members.MoveDecisionAsync(memberId, item.Key.ReceiptId, Move, cancellationToken)
            : await receipts.MoveDecisionAsync(item.Key, Move, cancellationToken);
        logger.LogWarning("Receipt {ReceiptId}: posting day {Old} ended before its postings were written; posted on {New}", item.Key.ReceiptId, closed, item.Decision.PostingDate);
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
    /// 10 s, doubling with each wait up to 10 minutes, for as long as they wait — instead of a hot retry
    /// loop; each receipt is handed to the new message under its ETag, so only one message owns it.
    /// </summary>
    public async Task RequeueWaitingAsync(IReadOnlyList<string> receiptIds, string messageId, CancellationToken cancellationToken)
    {
        foreach (var receiptId in receiptIds)
        {
            if (!ReceiptKey.TryParse(receiptId, out var key)
                || await receipts.FindAsync(key, cancellationToken) is not { } entity
                || entity.GetString(nameof(ReceiptRecord.ScoringMessageId)) != messageId)
            {
                continue;
            }

            var waits = entity.GetInt32(ReceiptRecord.ScoringColumns.ReturnWaits) ?? 0;
            var delay = TimeSpan.FromSeconds(Math.Min(600, 10 * Math.Pow(2, waits)));
            var sent = await _scoringQueue.SendMessageAsync(JsonSerializer.Serialize(new ScoringMessage([receiptId], PosGreenPointsTelemetry.CurrentTraceparent()), Json), visibilityTimeout: delay, cancellationToken: cancellationToken);
            await receipts.HandToMessageAsync(entity, sent.Value.MessageId, waits + 1, [PointsCalculator.WaitingForOriginalNote], cancellationToken);
        }
    }

    /// <summary>
    /// Receipts named by a message before they were stored: a new message for them, visible in 30 s, that
    /// keeps the first message as their owner; once <see cref="ScoringOptions.OrphanAfter"/> has passed
    /// since it was sent, the scorer drops them as orphans.
    /// </summary>
    public async Task RequeueNotStoredYetAsync(IReadOnlyList<string> receiptIds, string ownerMessageId, DateTimeOffset firstSentAt, CancellationToken cancellationToken)
    {
        var message = new ScoringMessage(receiptIds, PosGreenPointsTelemetry.CurrentTraceparent(), ownerMessageId, firstSentAt);
        await _scoringQueue.SendMessageAsync(JsonSerializer.Serialize(message, Json), visibilityTimeout: TimeSpan.FromSeconds(30), cancellationToken: cancellationToken);
        logger.LogInformation("Scoring message {MessageId} names {Count} receipts not stored yet; asked again in 30 s", ownerMessageId, receiptIds.Count);
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
            await receipts.RecordFailureAsync(key, reason, final, cancellationToken);
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
    /// <returns>
    /// The decision, or null while the original may still be scored: it is stored but not scored (however
    /// long the backlog, or until an operator replays it from the poison queue), or it is not stored yet
    /// and a post of it would still be accepted (tills upload late). Only a return whose original can no
    /// longer arrive is decided without it, so no order of posting lets a sale keep reversed points.
    /// </returns>
    private async Task<ScoringDecision?> DecideReturnAsync(ReceiptKey key, ValidatedReceipt receipt, TimeZoneInfo timeZone, CancellationToken cancellationToken)
    {
        var reference = receipt.OriginalReceipt!;
        var originalKey = receipt.OriginalKey!;
        while (true)
        {
            if (await receipts.FindAsync(originalKey, cancellationToken) is not { } original)
            {
                var lastAcceptedPost = reference.IssuedAt.AddDays(receiptOptions.Value.MaxAgeDays);
                return clock.GetUtcNow() < lastAcceptedPost + LatePostMargin ? null : Unmatched(receipt, timeZone, PointsCalculator.OriginalNotFoundNote);
            }

            if (original.GetString(nameof(ReceiptRecord.Type)) != ReceiptTypes.Sale)
            {
                // The key is a return's: no sale can be posted under it any more.
                return Unmatched(receipt, timeZone, PointsCalculator.OriginalNotFoundNote);
            }

            if (original.GetString(nameof(ReceiptRecord.Status)) != ReceiptStatuses.Scored)
            {
                return null;
            }

            var state = ScoringReceipts.ReturnsOf(original);
            if (state.Decisions.TryGetValue(key.ReceiptId, out var earlier))
            {
                return earlier;
            }

            var originalDecision = JsonSerializer.Deserialize<ScoringDecision>(LongText.Get(original, ReceiptRecord.ScoringColumns.Decision)!, Json)!;
            var awarded = JsonSerializer.Deserialize<List<ReceiptLineStatusView>>(LongText.Get(original, nameof(ReceiptRecord.ScoredLines)) ?? "[]", Json)!
                .ToDictionary(line => line.LineNumber, line => line.Points);
            var (decision, saleReturns) = ReturnDecider.Decide(key.ReceiptId, receipt, originalDecision, awarded, state, Today(timeZone), clock.GetUtcNow(), rules.Version);
            if (await receipts.SaveReturnsAsync(original, saleReturns, cancellationToken))
            {
                return decision;
            }

            // Another return of the same sale was decided meanwhile: decide again on the new totals.
        }
    }

    private ScoringDecision Unmatched(ValidatedReceipt receipt, TimeZoneInfo timeZone, string note) => new(
        Today(timeZone),
        clock.GetUtcNow(),
        rules.Version,
        MemberId: null,
        receipt.Lines.Select(line => new DecidedLine(line.LineNumber, line.Gtin14, line.Quantity, 0m, 0, [])).ToList(),
        [note]);

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

    private DateOnly Today(TimeZoneInfo timeZone) => ChainCalendar.Today(clock, timeZone);
}

/// <summary>A scoring message arrived before the receipt it names was stored; the message is tried again.</summary>
public sealed class ReceiptNotStoredYetException(string receiptId) : Exception($"Receipt {receiptId} is not stored yet.");

/// <summary>A receipt of a message as it goes through the steps of scoring.</summary>
internal sealed class ReceiptInScoring(ReceiptKey key, TableEntity entity, ValidatedReceipt receipt, TimeZoneInfo timeZone, ScoringDecision decision, bool decisionStored)
{
    public ReceiptKey Key { get; } = key;
    public TableEntity Entity { get; } = entity;
    public ValidatedReceipt Receipt { get; } = receipt;
    public TimeZoneInfo TimeZone { get; } = timeZone;

    /// <summary>Fresh at first; after the step that fixes it, the decision that stands.</summary>
    public ScoringDecision Decision { get; set; } = decision;

    /// <summary>Whether the receipt's entity holds <see cref="Decision"/>.</summary>
    public bool DecisionStored { get; set; } = decisionStored;

    /// <summary>Per line, the points after the member daily cap, once posted to the member.</summary>
    public IReadOnlyDictionary<int, long>? FinalPoints { get; set; }

    public IReadOnlyList<DecidedLine> Lines() =>
        Decision.Lines.Select(line => line with { Points = FinalPoints?.GetValueOrDefault(line.LineNumber, line.Points) ?? line.Points }).ToList();

    public IReadOnlyList<string> Notes() =>
        !Receipt.IsReturn && Lines().Sum(line => line.Points) < Decision.Lines.Sum(line => line.Points)
            ? [.. Decision.Notes, PointsCalculator.MemberDailyCapNote]
            : Decision.Notes;
}
