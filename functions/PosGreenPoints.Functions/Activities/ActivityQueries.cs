using System.Globalization;
using PosGreenPoints.Contracts.Activities;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Settlement;

namespace PosGreenPoints.Functions.Activities;

/// <summary>Reads an activity's status for <c>GET /api/v1/activities/{id}</c>.</summary>
public sealed class ActivityQueries(ActivityStore store, MemberPseudonyms pseudonyms)
{
    /// <returns>
    /// The activity, or null when the id is not an activity id, no such activity exists, or its chain is
    /// outside the caller's scope: indistinguishable, so a key cannot probe another chain's activities.
    /// The member id is shown only to operators and to the client that posted it, as on a receipt.
    /// </returns>
    public async Task<ActivityStatusView?> FindAsync(string id, Caller caller, CancellationToken cancellationToken)
    {
        if (!ActivityKey.TryParse(id, out var key) || !caller.CanAccessChain(key.ChainId) || await store.FindAsync(key, cancellationToken) is not { } record)
        {
            return null;
        }

        var showsMember = caller.Role == Role.Operator || caller.ClientId == record.PostedBy;
        return new ActivityStatusView(
            key.Id,
            record.ActivityId,
            record.ChainId,
            record.StoreId,
            record.TerminalId,
            record.Type,
            showsMember ? record.MemberId : null,
            pseudonyms.Of(record.ChainId, record.MemberId),
            decimal.Parse(record.Quantity, NumberStyles.Number, CultureInfo.InvariantCulture),
            key.BusinessDate,
            record.Status,
            record.Points,
            record.NoteList(),
            record.ScoredAt);
    }
}
