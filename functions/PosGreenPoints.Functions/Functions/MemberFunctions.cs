using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Http;
using PosGreenPoints.Functions.Points;

namespace PosGreenPoints.Functions.Functions;

public sealed class MemberFunctions(ApiGate gate, MemberAccounts members)
{
    private static readonly IReadOnlySet<Role> Readers = new HashSet<Role> { Role.Pos, Role.Operator };

    /// <summary>A member's balance; a member with no postings yet has a zero balance, not a 404.</summary>
    [Function("GetMemberPoints")]
    public Task<IActionResult> GetMemberPoints(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/members/{memberId}/points")] HttpRequest request,
        string memberId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, Readers, async _ =>
        {
            if (!IsMemberId(memberId))
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["memberId"] = ["must be 1–64 characters of A–Z, a–z, 0–9, '_' and '-'."] });
            }

            var balance = await members.FindAsync(memberId, cancellationToken) ?? new MemberBalance(0, 0, null);
            return new OkObjectResult(new MemberPointsView(memberId, balance.Balance, balance.Earned, balance.Reversed, balance.UpdatedAt));
        }, cancellationToken);

    private static bool IsMemberId(string memberId) =>
        memberId.Length is >= 1 and <= 64 && memberId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
}
