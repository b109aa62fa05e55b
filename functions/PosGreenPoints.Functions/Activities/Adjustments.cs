using System.Globalization;
using System.Text.Json;
using PosGreenPoints.Contracts;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Receipts;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Functions.Activities;

/// <summary>What an adjustment request came to, for the function to answer.</summary>
public abstract record AdjustmentRequestOutcome
{
    private AdjustmentRequestOutcome()
    {
    }

    public sealed record Done(AdjustmentOutcome Outcome) : AdjustmentRequestOutcome;

    public sealed record Invalid(IDictionary<string, string[]> Errors) : AdjustmentRequestOutcome;

    public sealed record ChainNotRegistered(string ChainId) : AdjustmentRequestOutcome;
}

/// <summary>
/// Operator adjustments (activities.md): validated here with the receipts' field reader (paths in
/// <c>errors</c>), then written synchronously in the member's transaction (<see cref="MemberStore.AdjustAsync"/>).
/// Adjustment ids are unique per member: the marker lives in the member's partition, so a check across
/// members would need a second table for no gain (the id is the operator's ticket, the member is in the URL).
/// </summary>
public sealed class Adjustments(ChainRegistry chains, MemberStore members)
{
    /// <summary>Far beyond any goodwill or correction; keeps a typo of many digits from becoming points.</summary>
    public const long MaxPoints = 100_000_000;

    public async Task<AdjustmentRequestOutcome> PostAsync(string memberId, JsonElement body, CancellationToken cancellationToken)
    {
        var (adjustment, errors) = Validate(memberId, body);
        if (adjustment is null)
        {
            return new AdjustmentRequestOutcome.Invalid(errors!);
        }

        if (await chains.GetAsync(adjustment.ChainId, cancellationToken) is null)
        {
            return new AdjustmentRequestOutcome.ChainNotRegistered(adjustment.ChainId);
        }

        return new AdjustmentRequestOutcome.Done(await members.AdjustAsync(adjustment, cancellationToken));
    }

    public static (Adjustment? Adjustment, IDictionary<string, string[]>? Errors) Validate(string memberId, JsonElement body)
    {
        var errors = new ReceiptValidator.ValidationErrors();
        if (!Ids.IsDotlessId(memberId))
        {
            errors.Add("memberId", $"must be {Ids.DotlessRule}.");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add(ReceiptValidator.RootPath, "must be a JSON object.");
            return (null, errors.ToDictionary());
        }

        var read = new ReceiptValidator.FieldReader(errors);
        var adjustmentId = read.Identifier(body, "adjustmentId", "adjustmentId");
        var chainId = read.Identifier(body, "chainId", "chainId");
        long? points = null;
        if (read.Required(body, "points", "points") is { } value)
        {
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var whole))
            {
                errors.Add("points", "must be a whole number of points.");
            }
            else if (whole == 0 || Math.Abs(whole) > MaxPoints)
            {
                errors.Add("points", string.Create(CultureInfo.InvariantCulture, $"must not be 0, and at most {MaxPoints} either way."));
            }
            else
            {
                points = whole;
            }
        }

        var reason = read.RequiredString(body, "reason", "reason");
        if (reason is not null)
        {
            var length = reason.EnumerateRunes().Count();
            if (string.IsNullOrWhiteSpace(reason) || length > Limits.MaxAdjustmentReasonLength)
            {
                errors.Add("reason", $"must be 1–{Limits.MaxAdjustmentReasonLength} characters, not only spaces.");
            }
            else if (reason.Any(char.IsControl))
            {
                errors.Add("reason", "must not contain control characters.");
            }
        }

        return errors.Any
            ? (null, errors.ToDictionary())
            : (new Adjustment(adjustmentId!, memberId, chainId!, points!.Value, reason!), null);
    }
}
