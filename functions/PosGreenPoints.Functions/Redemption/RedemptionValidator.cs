using PosGreenPoints.Contracts;
using PosGreenPoints.Contracts.Redemptions;
using PosGreenPoints.Functions.Infrastructure.Auth;

namespace PosGreenPoints.Functions.Redemption;

/// <summary>A reservation request that passed validation: every field present and within its rules.</summary>
/// <param name="MemberCode">Null for an operator's redemption by <paramref name="MemberId"/>.</param>
/// <param name="MemberId">Null for a redemption by code (the code names the member).</param>
public sealed record ValidReservation(
    string ChainId,
    string StoreId,
    string TerminalId,
    string RedemptionId,
    string? MemberCode,
    string? MemberId,
    long Points,
    string Purpose,
    bool Commit,
    string? Reason);

/// <summary>The rules of redemption.md for request bodies, each violation a message at its JSON path.</summary>
public static class RedemptionValidator
{
    public static (ValidReservation? Valid, IReadOnlyDictionary<string, string[]> Errors) Reservation(RedemptionRequest request, Role role, long maxPoints)
    {
        var errors = new Dictionary<string, string[]>();
        Id(request.ChainId, "chainId", errors);
        Id(request.StoreId, "storeId", errors);
        Id(request.TerminalId, "terminalId", errors);
        Id(request.RedemptionId, "redemptionId", errors);
        if (request.MemberCode is not null && request.MemberId is not null)
        {
            errors["memberCode"] = ["give memberCode or memberId, not both."];
        }
        else if (request.MemberId is not null)
        {
            if (role != Role.Operator)
            {
                errors["memberId"] = ["only an operator key may redeem by member id; a till presents the member's code."];
            }
            else if (!Ids.IsDotlessId(request.MemberId))
            {
                errors["memberId"] = [$"must be {Ids.DotlessRule}."];
            }

            if (request.Reason is not { Length: > 0 } reason || reason.Length > Limits.MaxReasonLength || string.IsNullOrWhiteSpace(reason))
            {
                errors["reason"] = [$"is required with memberId: 1–{Limits.MaxReasonLength} characters saying why."];
            }
        }
        else if (request.MemberCode is null)
        {
            errors["memberCode"] = ["is required: the code the member presents."];
        }
        else if (request.Reason is { Length: > Limits.MaxReasonLength })
        {
            errors["reason"] = [$"must be at most {Limits.MaxReasonLength} characters."];
        }

        if (request.Points is not { } points || points < 1 || points > maxPoints)
        {
            errors["points"] = [$"must be a whole number from 1 to {maxPoints} (the rules' maxPointsPerRedemption)."];
        }

        if (request.Purpose is not (RedemptionPurposes.Discount or RedemptionPurposes.Service))
        {
            errors["purpose"] = [$"must be '{RedemptionPurposes.Discount}' or '{RedemptionPurposes.Service}'."];
        }

        return errors.Count > 0
            ? (null, errors)
            : (new ValidReservation(request.ChainId!, request.StoreId!, request.TerminalId!, request.RedemptionId!, request.MemberCode, request.MemberId,
                request.Points!.Value, request.Purpose!, request.Commit ?? false, request.Reason), errors);
    }

    public static IReadOnlyDictionary<string, string[]> Commit(CommitRequest? request, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (request?.Receipt is not { } receipt)
        {
            return errors;
        }

        Id(receipt.StoreId, "receipt.storeId", errors);
        Id(receipt.TerminalId, "receipt.terminalId", errors);
        Id(receipt.ReceiptNumber, "receipt.receiptNumber", errors);
        if (receipt.IssuedAt is not { } issuedAt)
        {
            errors["receipt.issuedAt"] = ["is required: RFC 3339 with an offset."];
        }
        else if (issuedAt > now.AddMinutes(10))
        {
            errors["receipt.issuedAt"] = ["must not be more than 10 minutes in the future."];
        }

        return errors;
    }

    public static (string? RefundId, long Points, IReadOnlyDictionary<string, string[]> Errors) Refund(RefundRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        Id(request.RefundId, "refundId", errors);
        if (request.Points is not { } points || points < 1)
        {
            errors["points"] = ["must be a whole number of at least 1."];
        }

        return (request.RefundId, request.Points ?? 0, errors);
    }

    private static void Id(string? value, string path, Dictionary<string, string[]> errors)
    {
        if (!Ids.IsId(value))
        {
            errors[path] = [value is null ? $"is required: {Ids.Rule}." : $"must be {Ids.Rule}."];
        }
    }
}
