namespace PosGreenPoints.Contracts.Activities;

/// <summary>An activity as <c>GET /api/v1/activities/{id}</c> answers it.</summary>
/// <param name="Id">The id in the URL (and in the <c>Location</c> of the post).</param>
/// <param name="ActivityId">The partner's id of the activity, as posted.</param>
/// <param name="MemberId">Shown only to operators and to the client that posted it; others see <paramref name="MemberRef"/>.</param>
/// <param name="MemberRef">The settlement pseudonym of the member (settlement.md).</param>
/// <param name="Status"><c>accepted</c>, <c>scored</c> or <c>failed</c>.</param>
/// <param name="Points">Once scored: the points awarded, after the type's and the member's daily caps.</param>
/// <param name="Notes">What was unusual: <c>activity-type-cap-applied</c>, <c>member-daily-cap-applied</c>, <c>activity-type-unknown</c>.</param>
public sealed record ActivityStatusView(
    string Id,
    string ActivityId,
    string ChainId,
    string StoreId,
    string TerminalId,
    string Type,
    string? MemberId,
    string? MemberRef,
    decimal Quantity,
    DateOnly BusinessDate,
    string Status,
    long? Points,
    IReadOnlyList<string> Notes,
    DateTimeOffset? ScoredAt);
