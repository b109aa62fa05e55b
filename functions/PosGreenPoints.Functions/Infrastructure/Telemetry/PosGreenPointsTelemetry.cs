using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PosGreenPoints.Functions.Infrastructure.Telemetry;

/// <summary>
/// The app's traces and metrics, both named <see cref="Name"/> (operations.md, Monitoring). Instruments
/// are static, as the runtime keeps one meter per process whatever the container does; every method
/// is a no-op until something listens.
/// </summary>
public static class PosGreenPointsTelemetry
{
    public const string Name = "PosGreenPoints";

    /// <summary>Rejected-receipt reasons (the <c>reason</c> tag).</summary>
    public static class RejectionReasons
    {
        public const string Validation = "validation";
        public const string Conflict = "conflict";
        public const string ChainNotRegistered = "chain_not_registered";
        public const string OutOfScope = "out_of_scope";
        public const string ChainKind = "chain_kind";
    }

    /// <summary>The <c>list_id</c> of a line that matched no list.</summary>
    public const string NoList = "none";

    /// <summary>The <c>chain_id</c> of a receipt whose chain is not one the caller may name (bounds the tag's values).</summary>
    public const string UnknownChain = "unknown";

    public static readonly ActivitySource ActivitySource = new(Name);
    public static readonly Meter Meter = new(Name);

    private static readonly Counter<long> Accepted = Meter.CreateCounter<long>("posgreenpoints.receipts.accepted", "{receipt}", "Receipts stored and queued for scoring.");
    private static readonly Counter<long> Duplicates = Meter.CreateCounter<long>("posgreenpoints.receipts.duplicate", "{receipt}", "Receipts posted again with the same content.");
    private static readonly Counter<long> Rejected = Meter.CreateCounter<long>("posgreenpoints.receipts.rejected", "{receipt}", "Receipts refused, by reason.");
    private static readonly Counter<long> ActivitiesAccepted = Meter.CreateCounter<long>("posgreenpoints.activities.accepted", "{activity}", "Activities stored and queued for scoring.");
    private static readonly Counter<long> ActivitiesDuplicate = Meter.CreateCounter<long>("posgreenpoints.activities.duplicate", "{activity}", "Activities posted again with the same content.");
    private static readonly Counter<long> ActivitiesRejected = Meter.CreateCounter<long>("posgreenpoints.activities.rejected", "{activity}", "Activities refused, by reason.");
    private static readonly Counter<long> LinesClassified = Meter.CreateCounter<long>("posgreenpoints.lines.classified", "{line}", "Scored sale lines per matched list; list_id=none for lines that matched nothing.");
    private static readonly Counter<long> Awarded = Meter.CreateCounter<long>("posgreenpoints.points.awarded", "{point}", "Points awarded by scored sales.");
    private static readonly Counter<long> Reversed = Meter.CreateCounter<long>("posgreenpoints.points.reversed", "{point}", "Points taken back by scored returns.");
    private static readonly Counter<long> ExpiredPoints = Meter.CreateCounter<long>("posgreenpoints.points.expired", "{point}", "Points whose expiry was made durable (the timers, a release of a hold), by issuing chain.");
    private static readonly Counter<long> RedeemedPoints = Meter.CreateCounter<long>("posgreenpoints.points.redeemed", "{point}", "Points spent by committed redemptions, by redeeming chain.");
    private static readonly Histogram<double> Latency = Meter.CreateHistogram<double>("posgreenpoints.scoring.latency", "s", "From a receipt's acceptance to its scoring.");
    private static readonly Counter<long> Poison = Meter.CreateCounter<long>("posgreenpoints.poison.messages", "{message}", "Scoring deliveries that gave up on a receipt: the message goes to the poison queue.");
    private static readonly Histogram<double> SettlementDurations = Meter.CreateHistogram<double>("posgreenpoints.settlement.duration", "s", "How long settling one chain's day took.");
    private static readonly Counter<long> SettlementRowCount = Meter.CreateCounter<long>("posgreenpoints.settlement.rows", "{row}", "Rows written to settlement files.");
    private static readonly Histogram<double> ClearingDurations = Meter.CreateHistogram<double>("posgreenpoints.clearing.duration", "s", "How long clearing one day of the scheme took.");
    private static readonly Counter<long> ClearingRowCount = Meter.CreateCounter<long>("posgreenpoints.clearing.rows", "{row}", "Rows written to clearing files, by the file's chain.");
    private static readonly Gauge<long> Outstanding = Meter.CreateGauge<long>("posgreenpoints.liability.outstanding", "{point}", "A chain's outstanding points (its liability) at the end of its last cleared day.");

    public static void ReceiptAccepted(string chainId) => Accepted.Add(1, Chain(chainId));

    public static void ReceiptDuplicate(string chainId) => Duplicates.Add(1, Chain(chainId));

    public static void ReceiptRejected(string chainId, string reason) =>
        Rejected.Add(1, Chain(chainId), new KeyValuePair<string, object?>("reason", reason));

    public static void ActivityAccepted(string chainId) => ActivitiesAccepted.Add(1, Chain(chainId));

    public static void ActivityDuplicate(string chainId) => ActivitiesDuplicate.Add(1, Chain(chainId));

    public static void ActivityRejected(string chainId, string reason) =>
        ActivitiesRejected.Add(1, Chain(chainId), new KeyValuePair<string, object?>("reason", reason));

    public static void LineClassified(string listId) => LinesClassified.Add(1, new KeyValuePair<string, object?>("list_id", listId));

    public static void PointsAwarded(string chainId, long points) => Awarded.Add(points, Chain(chainId));

    public static void PointsReversed(string chainId, long points) => Reversed.Add(points, Chain(chainId));

    public static void PointsExpired(string issuerChainId, long points) => ExpiredPoints.Add(points, Chain(issuerChainId));

    public static void PointsRedeemed(string chainId, long points) => RedeemedPoints.Add(points, Chain(chainId));

    public static void ReceiptScored(string chainId, TimeSpan sinceAccepted) => Latency.Record(Math.Max(0, sinceAccepted.TotalSeconds), Chain(chainId));

    public static void PoisonMessage(string queue) => Poison.Add(1, new KeyValuePair<string, object?>("queue", queue));

    /// <summary>For settlement: one call per chain and posting day settled.</summary>
    public static void SettlementCompleted(string chainId, TimeSpan duration) => SettlementDurations.Record(duration.TotalSeconds, Chain(chainId));

    /// <summary>For settlement: the rows written for a chain's day.</summary>
    public static void SettlementRowsWritten(string chainId, long rows) => SettlementRowCount.Add(rows, Chain(chainId));

    /// <summary>For clearing: one call per clearing day completed.</summary>
    public static void ClearingCompleted(TimeSpan duration) => ClearingDurations.Record(duration.TotalSeconds);

    /// <summary>For clearing: the rows written to a chain's file of a day.</summary>
    public static void ClearingRowsWritten(string chainId, long rows) => ClearingRowCount.Add(rows, Chain(chainId));

    /// <summary>For clearing: the issuing chain's outstanding points at the end of the day just cleared (the dashboard's liability view).</summary>
    public static void OutstandingLiability(string issuerChainId, long points) => Outstanding.Record(points, Chain(issuerChainId));

    /// <summary>
    /// The W3C <c>traceparent</c> of the current activity, for a queue message to carry; null when
    /// nothing is traced (no listener) or the id is not W3C.
    /// </summary>
    public static string? CurrentTraceparent() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>
    /// Starts the consumer span of a queue message as a child of the trace that sent it. The host's
    /// own invocation span, when there is one, is linked, so neither trace loses the other.
    /// </summary>
    public static Activity? StartConsumer(string name, string? traceparent)
    {
        if (!ActivityContext.TryParse(traceparent, null, isRemote: true, out var parent))
        {
            return ActivitySource.StartActivity(name, ActivityKind.Consumer);
        }

        var links = Activity.Current is { } invocation ? new[] { new ActivityLink(invocation.Context) } : null;
        return ActivitySource.StartActivity(name, ActivityKind.Consumer, parent, links: links);
    }

    private static KeyValuePair<string, object?> Chain(string chainId) => new("chain_id", chainId);
}
