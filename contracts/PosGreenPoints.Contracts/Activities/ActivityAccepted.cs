namespace PosGreenPoints.Contracts.Activities;

/// <summary>
/// The answer to a stored activity: the body of a 202 for a new activity, and of a 200 for a repost of the
/// same activity with the same content.
/// </summary>
/// <param name="Id">The id to read the activity by (<c>GET /api/v1/activities/{id}</c>), made of its natural key.</param>
/// <param name="Status">One of <c>accepted</c>, <c>scored</c>, <c>failed</c>: <c>accepted</c> for a new activity, the current status for a duplicate.</param>
/// <param name="StatusUrl">Where to read the activity.</param>
/// <param name="Duplicate"><c>true</c> for a repost; null, and so absent, for a new activity.</param>
public sealed record ActivityAccepted(string Id, string Status, string StatusUrl, bool? Duplicate = null);

/// <summary>The answer to an activity batch: one result per posted activity, in input order.</summary>
public sealed record ActivityBatchResult(IReadOnlyList<ActivityBatchItemResult> Results);

/// <summary>What became of one activity of a batch.</summary>
/// <param name="Index">The activity's 0-based position in the posted <c>activities</c> array.</param>
/// <param name="Id">The stored activity's id; absent when rejected.</param>
/// <param name="Status"><c>accepted</c>, <c>duplicate</c> or <c>rejected</c>.</param>
/// <param name="Errors">Why it was rejected, by JSON path within that activity (<c>quantity</c>); absent otherwise.</param>
public sealed record ActivityBatchItemResult(int Index, string? Id, string Status, IReadOnlyDictionary<string, string[]>? Errors = null);
