namespace PosGreenPoints.Contracts.Activities;

/// <summary>The body of <c>POST /api/v1/activities</c>: one use of a low-carbon service by a member.</summary>
/// <param name="StoreId">The station, venue or outlet.</param>
/// <param name="TerminalId">The gate or device.</param>
/// <param name="ActivityId">The partner's id of the activity, unique per terminal and business date.</param>
/// <param name="Type">An activity type of the points rules, e.g. <c>transit-trip</c>.</param>
/// <param name="MemberId">Required: an activity without a member earns nothing and is refused.</param>
/// <param name="Quantity">In the type's unit (trips, km, kg, items): more than 0, at most 3 decimals and at most the type's <c>maxQuantity</c>.</param>
/// <param name="OccurredAt">RFC 3339 with an offset, at most 10 minutes ahead; its date in the chain's zone is the business date.</param>
public sealed record ActivitySubmission(
    string ChainId,
    string StoreId,
    string TerminalId,
    string ActivityId,
    string Type,
    string MemberId,
    decimal Quantity,
    DateTimeOffset OccurredAt);

/// <summary>The body of <c>POST /api/v1/activities/batch</c>: 1–500 activities, each validated on its own.</summary>
public sealed record ActivityBatchSubmission(IReadOnlyList<ActivitySubmission> Activities);
