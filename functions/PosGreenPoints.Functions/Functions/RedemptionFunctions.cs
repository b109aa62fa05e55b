using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;
using PosGreenPoints.Contracts;
using PosGreenPoints.Contracts.Redemptions;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Http;
using PosGreenPoints.Functions.Redemption;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Functions.Functions;

/// <summary>Redeeming points (redemption.md): member codes, reserve, commit, cancel, refund, read, and the holds sweep.</summary>
public sealed class RedemptionFunctions(ApiGate gate, Redemptions redemptions, WalletExpiry sweep)
{
    [Function("IssueMemberCode")]
    public Task<IActionResult> IssueMemberCode(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/members/{memberId}/codes")] HttpRequest request,
        string memberId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.IssueMemberCode, async _ =>
            Ids.IsDotlessId(memberId)
                ? new ObjectResult(await redemptions.IssueCodeAsync(memberId, cancellationToken)) { StatusCode = StatusCodes.Status201Created }
                : Problems.Validation(new Dictionary<string, string[]> { ["memberId"] = [$"must be {Ids.DotlessRule}."] }), cancellationToken);

    [Function("GetMemberPointsByCode")]
    public Task<IActionResult> GetMemberPointsByCode(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/members/by-code/{code}/points")] HttpRequest request,
        string code,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.GetMemberPointsByCode, async caller =>
            Answer(request, await redemptions.BalanceByCodeAsync(code, caller, cancellationToken)), cancellationToken);

    [Function("ReserveRedemption")]
    public Task<IActionResult> Reserve(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/redemptions")] HttpRequest request,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.ReserveRedemption, async caller =>
        {
            var (body, problem) = await RequestBody.ReadJsonAsync<RedemptionRequest>(request, Limits.MaxRedemptionBodyBytes, cancellationToken);
            return body is null ? problem! : Answer(request, await redemptions.ReserveAsync(body, caller, cancellationToken));
        }, cancellationToken);

    [Function("CommitRedemption")]
    public Task<IActionResult> Commit(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/redemptions/{chainId}/{redemptionId}/commit")] HttpRequest request,
        string chainId,
        string redemptionId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.CommitRedemption, async caller =>
        {
            CommitRequest? body = null;
            if (request.ContentLength is not 0 && (request.ContentLength is > 0 || request.Headers.ContentType.Count > 0))
            {
                var (read, problem) = await RequestBody.ReadJsonAsync<CommitRequest>(request, Limits.MaxRedemptionBodyBytes, cancellationToken);
                if (read is null)
                {
                    return problem!;
                }

                body = read;
            }

            return InvalidIds(chainId, redemptionId) ?? Answer(request, await redemptions.CommitAsync(chainId, redemptionId, body, caller, cancellationToken));
        }, cancellationToken);

    [Function("CancelRedemption")]
    public Task<IActionResult> Cancel(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/redemptions/{chainId}/{redemptionId}/cancel")] HttpRequest request,
        string chainId,
        string redemptionId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.CancelRedemption, async caller =>
            InvalidIds(chainId, redemptionId) ?? Answer(request, await redemptions.CancelAsync(chainId, redemptionId, caller, cancellationToken)), cancellationToken);

    [Function("RefundRedemption")]
    public Task<IActionResult> Refund(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/redemptions/{chainId}/{redemptionId}/refunds")] HttpRequest request,
        string chainId,
        string redemptionId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.RefundRedemption, async caller =>
        {
            var (body, problem) = await RequestBody.ReadJsonAsync<RefundRequest>(request, Limits.MaxRedemptionBodyBytes, cancellationToken);
            return body is null ? problem! : InvalidIds(chainId, redemptionId) ?? Answer(request, await redemptions.RefundAsync(chainId, redemptionId, body, caller, cancellationToken));
        }, cancellationToken);

    [Function("GetRedemption")]
    public Task<IActionResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/redemptions/{chainId}/{redemptionId}")] HttpRequest request,
        string chainId,
        string redemptionId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.GetRedemption, async caller =>
            InvalidIds(chainId, redemptionId) ?? Answer(request, await redemptions.GetAsync(chainId, redemptionId, caller, cancellationToken)), cancellationToken);

    /// <summary>Releases lapsed holds (redemption.md); the schedule is the app setting <see cref="WalletExpiry.HoldsScheduleSetting"/>.</summary>
    [Function("ReleaseLapsedHolds")]
    public Task ReleaseLapsedHolds([TimerTrigger("%" + WalletExpiry.HoldsScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        sweep.RunAsync(WalletDue.Lapse, cancellationToken);

    private static ObjectResult? InvalidIds(string chainId, string redemptionId)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Ids.IsId(chainId))
        {
            errors["chainId"] = [$"must be {Ids.Rule}."];
        }

        if (!Ids.IsId(redemptionId))
        {
            errors["redemptionId"] = [$"must be {Ids.Rule}."];
        }

        return errors.Count > 0 ? Problems.Validation(errors) : null;
    }

    private static IActionResult Answer(HttpRequest request, RedemptionOutcome outcome)
    {
        switch (outcome)
        {
            case RedemptionOutcome.Done { Created: true, View: RedemptionView view }:
                return new CreatedResult(view.StatusUrl, view);
            case RedemptionOutcome.Done { Created: true, View: RefundView refund }:
                return new CreatedResult(refund.Redemption.StatusUrl, refund);
            case RedemptionOutcome.Done done:
                return new OkObjectResult(done.View);
            case RedemptionOutcome.Balance balance:
                return new OkObjectResult(balance.View);
            case RedemptionOutcome.Invalid invalid:
                return Problems.Validation(new Dictionary<string, string[]>(invalid.Errors));
            case RedemptionOutcome.OutsideScope:
                return Problems.Forbidden("This API key may not redeem for that chain.");
            case RedemptionOutcome.ChainNotRegistered unregistered:
                return Problems.ChainNotRegistered(unregistered.ChainId);
            case RedemptionOutcome.CodeInvalid:
                return Problems.Create(StatusCodes.Status404NotFound, ProblemTypes.MemberCodeInvalid, "The member code is not valid.",
                    "The code is unknown, expired or used. Ask the member to show a new code in the app.");
            case RedemptionOutcome.CodeLookupsLimited limited:
                request.HttpContext.Response.Headers[HeaderNames.RetryAfter] = Math.Max(1, (int)Math.Ceiling(limited.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                return Problems.Create(StatusCodes.Status429TooManyRequests, ProblemTypes.TooManyRequests, "Too many failed member-code look-ups.",
                    "This key looked up too many codes that were not valid this minute; try again after Retry-After seconds.");
            case RedemptionOutcome.InsufficientPoints insufficient:
                return Problems.WithExtensions(StatusCodes.Status409Conflict, ProblemTypes.InsufficientPoints, "The member has too few available points.",
                    $"{insufficient.Asked} points asked, {insufficient.Available} available. Nothing is held and the code is not used up.",
                    new Dictionary<string, object?> { ["available"] = insufficient.Available });
            case RedemptionOutcome.TooManyOpenReservations open:
                return Problems.Conflict(ProblemTypes.TooManyReservations, "The member has too many open reservations.",
                    $"{open.Open} reservations of this member are open; commit or cancel one first (they lapse after their hold).");
            case RedemptionOutcome.Conflict { Refund: false }:
                return Problems.Conflict(ProblemTypes.RedemptionConflict, "The redemption id was used with other content.",
                    "A redemption with this id exists at this chain with another member, points or till; use a new redemptionId.");
            case RedemptionOutcome.Conflict { Refund: true }:
                return Problems.Conflict(ProblemTypes.RefundConflict, "The refund id was used with other content.",
                    "A refund with this id exists for this redemption with other points; use a new refundId.");
            case RedemptionOutcome.NotFound:
                return Problems.NotFound("There is no such redemption at this chain, or it is outside this key's scope.");
            case RedemptionOutcome.NotOpen notOpen:
                return Problems.WithExtensions(StatusCodes.Status409Conflict, ProblemTypes.RedemptionNotOpen, "The redemption is not open.",
                    $"The redemption is {notOpen.Status}; its points are free again. Reserve anew.", new Dictionary<string, object?> { ["status"] = notOpen.Status });
            case RedemptionOutcome.AlreadyCommitted:
                return Problems.Conflict(ProblemTypes.RedemptionCommitted, "The redemption is committed.", "A committed redemption cannot be cancelled; refund it instead.");
            case RedemptionOutcome.NotCommitted notCommitted:
                return Problems.WithExtensions(StatusCodes.Status409Conflict, ProblemTypes.RedemptionNotCommitted, "Only a committed redemption can be refunded.",
                    $"The redemption is {notCommitted.Status}.", new Dictionary<string, object?> { ["status"] = notCommitted.Status });
            default:
                throw new UnreachableException($"{outcome} has no answer.");
        }
    }
}
