using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PosGreenPoints.Contracts;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Http;
using PosGreenPoints.Functions.Points;

namespace PosGreenPoints.Functions.Functions;

public sealed class MemberFunctions(ApiGate gate, MemberAccounts members)
{
    /// <summary>A member's balance; a member with no postings yet has a zero balance, not a 404.</summary>
    [Function("GetMemberPoints")]
    public Task<IActionResult> GetMemberPoints(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/members/{memberId}/points")] HttpRequest request,
        string memberId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.GetMemberPoints, async _ =>
        {
            if (!Ids.IsDotlessId(memberId))
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["memberId"] = [$"must be {Ids.DotlessRule}."] });
            }

            var balance = await members.FindAsync(memberId, cancellationToken) ?? new MemberBalance(0, 0, null);
            return new OkObjectResult(new MemberPointsView(memberId, balance.Balance, balance.Earned, balance.Reversed, balance.UpdatedAt));
        }, cancellationToken);
}
