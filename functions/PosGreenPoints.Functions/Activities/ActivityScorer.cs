using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Classification;
using PosGreenPoints.Functions.Infrastructure.Telemetry;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Settlement;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Functions.Activities;

/// <summary>
/// Scores the activities of one scoring message exactly once, by the receipts' steps (<see cref="ReceiptScorer"/>),
/// each idempotent and each taking the whole batch:
/// <list type="number">
/// <item>read the message's activities (one query per partition) and decide each: floor(quantity × pointsPerUnit);</item>
/// <item>post to the member (<see cref="MemberStore.PostAsync"/>): one transaction inserts the posting's
/// marker (so it posts once), cuts the points by the type's member cap and then by the member daily cap
/// on the day totals it reads and writes under their ETags (so the caps hold whatever the concurrency and
/// order), and awards the lot with the type's pending period; the decision and the notes kept on the
/// marker are what a redelivery gets back;</item>
/// <item>write the ledger posting (keyed by activity: a rewrite replaces), so settlement has the row;</item>
/// <item>mark the activities scored.</item>
/// </list>
/// The scoring decision of an activity is a receipt's with one line: no GTIN, qualifying amount 0, and
/// one match whose list is the activity type and whose version is the rules version — which is what the
/// settlement row shows (settlement.md).
/// </summary>
public sealed class ActivityScorer(
    ActivityStore store,
    ChainRegistry chains,
    PointsRules rules,
    Ledger ledger,
    MemberStore members,
    TimeProvider clock,
    IOptions<ScoringOptions> options,
    IOptions<SettlementOptions> settlementOptions,
    ILogger<ActivityScorer> logger)
{
    public const string ReceiptType = "activity";
    public const string TypeCapNote = "activity-type-cap-applied";
    public const string UnknownTypeNote = "activity-type-unknown";
    public const int LineNumber = 1;

    public async Task<BatchScoring> ScoreAsync(IReadOnlyList<string> ids, string messageId, DateTimeOffset messageInsertedAt, CancellationToken cancellationToken)
    {
        var results = new ConcurrentDictionary<string, ScoringResult>(StringComparer.Ordinal);
        var failures = new ConcurrentDictionary<string, Exception>(StringComparer.Ordinal);
        var keys = new List<ActivityKey>();
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            if (ActivityKey.TryParse(id, out var key))
            {
                keys.Add(key);
            }
            else
            {
                results[id] = ScoringResult.Orphan;
            }
        }

        var owned = await store.ReadOwnedAsync(keys, messageId, cancellationToken);
        foreach (var key in keys.Where(key => !owned.ContainsKey(key.Id)))
        {
            var stored = await store.FindAsync(key, cancellationToken);
            if (stored is null)
            {
                if (clock.GetUtcNow() - messageInsertedAt > options.Value.OrphanAfter)
                {
                    logger.LogWarning("Scoring message {MessageId} names activity {ActivityId}, which was never stored; dropped", messageId, key.Id);
                    results[key.Id] = ScoringResult.Orphan;
                }
                else
                {
                    failures[key.Id] = new ReceiptNotStoredYetException(key.Id);
                }
            }
            else if (stored.ScoringMessageId == messageId)
            {
                owned[key.Id] = stored;
            }
            else
            {
                results[key.Id] = ScoringResult.NotOwned;
            }
        }

        var work = new List<ActivityInScoring>();
        foreach (var (id, record) in owned.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            if (record.Status == ReceiptStatuses.Scored)
            {
                results[id] = ScoringResult.AlreadyScored;
                continue;
            }

            try
            {
                work.Add(await DecideAsync(record, cancellationToken));
            }
            catch (Exception failure) when (failure is RequestFailedException or InvalidOperationException)
            {
                failures[id] = failure;
            }
        }

        if (work.Count > 0)
        {
            try
            {
                await PostAsync(work, cancellationToken);
                foreach (var item in work)
                {
                    results[item.Key.Id] = ScoringResult.Scored;
                }
            }
            catch (Exception failure) when (failure is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                foreach (var item in work)
                {
                    failures[item.Key.Id] = failure;
                }
            }
        }

        return new BatchScoring(results, failures);
    }

    /// <summary>Records why scoring failed, for the operator; best effort, as storage may be what failed.</summary>
    public async Task RecordFailureAsync(string id, string reason, bool final, CancellationToken cancellationToken)
    {
        if (!ActivityKey.TryParse(id, out var key))
        {
            return;
        }

        try
        {
            await store.RecordFailureAsync(key, reason, final, cancellationToken);
        }
        catch (Exception failure) when (failure is RequestFailedException or AggregateException)
        {
            logger.LogWarning("Recording the failure of activity {ActivityId} failed too: {Reason}", id, LogRedaction.Describe(failure));
        }
    }

    /// <summary>
    /// The points before the caps. A type taken out of the rules after the activity was accepted earns 0
    /// and notes it: the rules in force when scoring decide, as list versions do for receipts.
    /// </summary>
    public static ScoringDecision Decide(ValidatedActivity activity, PointsRules rules, DateOnly postingDate, DateTimeOffset now)
    {
        var known = rules.Activities.TryGetValue(activity.Type, out var rule);
        var points = known ? rule!.PointsFor(activity.Quantity) : 0;
        IReadOnlyList<ListMatch> matches = known ? [new ListMatch(activity.Type, rules.Version, null, rule!.Name)] : [];
        return new ScoringDecision(postingDate, now, rules.Version, activity.MemberId,
            [new DecidedLine(LineNumber, null, activity.Quantity, 0m, points, matches)],
            known ? [] : [UnknownTypeNote]);
    }

    /// <summary>
    /// The caps, in the spec's order: the type's member cap per business date (across chains), then the
    /// member daily cap that receipts count against too. Both are minima, so the points are
    /// min(points, type room, day room); the note names each cap that cut.
    /// </summary>
    public static (long Points, IReadOnlyList<string> Notes) Capped(long points, long maxOfTypePerDay, long maxPerDay, DayEarnings earnings)
    {
        ArgumentNullException.ThrowIfNull(earnings);
        var afterType = Math.Min(points, Math.Max(0, maxOfTypePerDay - earnings.EarnedOfType));
        var afterDay = Math.Min(afterType, Math.Max(0, maxPerDay - earnings.Earned));
        var notes = new List<string>();
        if (afterType < points)
        {
            notes.Add(TypeCapNote);
        }

        if (afterDay < afterType)
        {
            notes.Add(PointsCalculator.MemberDailyCapNote);
        }

        return (afterDay, notes);
    }

    private async Task<ActivityInScoring> DecideAsync(ActivityRecord record, CancellationToken cancellationToken)
    {
        var activity = record.ToActivity();
        var chain = await chains.GetAsync(activity.ChainId, cancellationToken)
            ?? throw new InvalidOperationException($"Chain {activity.ChainId} of activity {activity.Key.Id} is not registered.");
        return new ActivityInScoring(activity, chain.TimeZone, Decide(activity, rules, ChainCalendar.Today(clock, chain.TimeZone), clock.GetUtcNow()));
    }

    private async Task PostAsync(List<ActivityInScoring> batch, CancellationToken cancellationToken)
    {
        using (PosGreenPointsTelemetry.ActivitySource.StartActivity("post activities to members"))
        {
            var posted = await members.PostAsync(batch.Select(Posting).ToList(), cancellationToken);
            foreach (var item in batch)
            {
                var result = posted[item.Key.Id];
                item.Decision = result.Decision;
                item.Points = result.LinePoints.Values.Sum();
                item.Notes = [.. result.Decision.Notes, .. result.Notes];
            }
        }

        foreach (var item in batch.Where(item => item.Decision.Lines[0].Qualifies))
        {
            await KeepPostingDayOpenAsync(item, cancellationToken);
        }

        using (PosGreenPointsTelemetry.ActivitySource.StartActivity("write ledger"))
        {
            await ledger.WriteAsync(batch.Where(item => item.Decision.Lines[0].Qualifies).Select(LedgerPostingOf).ToList(), cancellationToken);
        }

        var now = clock.GetUtcNow();
        await store.MarkScoredAsync(batch.Select(item => (item.Key, item.Points, item.Notes, now)).ToList(), cancellationToken);
        foreach (var item in batch)
        {
            PosGreenPointsTelemetry.PointsAwarded(item.Activity.ChainId, item.Points);
            logger.LogInformation("Scored activity {ActivityId} of chain {ChainId} store {StoreId}: {Points} points", item.Key.Id, item.Activity.ChainId, item.Activity.StoreId, item.Points);
        }
    }

    private MemberPosting Posting(ActivityInScoring item)
    {
        var rule = rules.Activities.GetValueOrDefault(item.Activity.Type);
        var maxOfType = rule?.MaxPointsPerMemberPerDay ?? 0;
        return new MemberPosting(item.Activity.MemberId, item.Key.Id, item.Activity.ChainId, null, item.Activity.BusinessDate, item.Decision,
            earnings => new Dictionary<int, long> { [LineNumber] = Capped(item.Decision.Lines[0].Points, maxOfType, rules.MaxPointsPerMemberPerDay, earnings).Points })
        {
            ActivityType = item.Activity.Type,
            PendingPeriod = rule?.PendingPeriod ?? TimeSpan.Zero,
            StoreId = item.Activity.StoreId,
            TerminalId = item.Activity.TerminalId,
            Notes = earnings => Capped(item.Decision.Lines[0].Points, maxOfType, rules.MaxPointsPerMemberPerDay, earnings).Notes,
        };
    }

    /// <summary>As for receipts: a decision whose posting day closed before its posting was written (a replay from the poison queue) moves to today, so no settled day changes.</summary>
    private async Task KeepPostingDayOpenAsync(ActivityInScoring item, CancellationToken cancellationToken)
    {
        var closed = item.Decision.PostingDate;
        if (clock.GetUtcNow() < ChainCalendar.EndOf(closed, item.TimeZone, settlementOptions.Value.Grace / 2)
            || await ledger.HasPostingAsync(item.Activity.ChainId, closed, RowKeyOf(item.Activity), cancellationToken))
        {
            return;
        }

        var today = ChainCalendar.Today(clock, item.TimeZone);
        item.Decision = await members.MoveDecisionAsync(item.Activity.MemberId, item.Key.Id, stored => stored.PostingDate == closed ? stored with { PostingDate = today } : null, cancellationToken);
        logger.LogWarning("Activity {ActivityId}: posting day {Old} ended before its posting was written; posted on {New}", item.Key.Id, closed, item.Decision.PostingDate);
    }

    private static string RowKeyOf(ValidatedActivity activity) =>
        Ledger.RowKeyOf(activity.StoreId, activity.TerminalId, activity.ActivityId, LineNumber, activity.Key.Id);

    /// <summary>The settlement row of an activity (settlement.md): type as the matched list, the rules version as its version, amount 0.00.</summary>
    private LedgerPosting LedgerPostingOf(ActivityInScoring item)
    {
        var match = item.Decision.Lines[0].Matches[0];
        return new LedgerPosting
        {
            PartitionKey = Ledger.PartitionKeyOf(item.Activity.ChainId, item.Decision.PostingDate),
            RowKey = RowKeyOf(item.Activity),
            ChainId = item.Activity.ChainId,
            PostingDate = item.Decision.PostingDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            BusinessDate = item.Activity.BusinessDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            StoreId = item.Activity.StoreId,
            TerminalId = item.Activity.TerminalId,
            ReceiptNumber = item.Activity.ActivityId,
            ReceiptId = item.Key.Id,
            ReceiptType = ReceiptType,
            MemberId = item.Activity.MemberId,
            LineNumber = LineNumber,
            Gtin = null,
            ProductName = match.ProductName,
            MatchedLists = match.ListId,
            CertificateNumber = null,
            ListVersions = match.ListVersion,
            QualifyingAmount = "0.00",
            Points = item.Points,
            RulesVersion = item.Decision.RulesVersion,
        };
    }

    /// <summary>An activity of a message as it goes through the steps of scoring.</summary>
    private sealed class ActivityInScoring(ValidatedActivity activity, TimeZoneInfo timeZone, ScoringDecision decision)
    {
        public ValidatedActivity Activity { get; } = activity;
        public ActivityKey Key { get; } = activity.Key;
        public TimeZoneInfo TimeZone { get; } = timeZone;
        public ScoringDecision Decision { get; set; } = decision;
        public long Points { get; set; }
        public IReadOnlyList<string> Notes { get; set; } = [];
    }
}
