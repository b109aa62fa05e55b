using System.Globalization;
using System.Text.Json;
using PosGreenPoints.Contracts;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Activities;

/// <summary>What <see cref="ActivityValidator.Validate"/> makes of a posted activity.</summary>
public abstract record ActivityValidation
{
    private ActivityValidation()
    {
    }

    public sealed record Valid(ValidatedActivity Activity) : ActivityValidation;

    /// <summary>At least one rule is broken (a 400); <see cref="Errors"/> maps each field's JSON path to what is wrong.</summary>
    public sealed record Invalid(IDictionary<string, string[]> Errors) : ActivityValidation;

    /// <summary>Every field is valid, but the chain is not registered (a 422).</summary>
    public sealed record ChainNotRegistered(string ChainId) : ActivityValidation;
}

/// <summary>
/// Checks a posted activity against activities.md with the receipts' field reader, so that ids, instants
/// and numbers are judged exactly as on a receipt (wrong types, nulls, numbers beyond decimal and broken
/// text each become an error at the field's path, all fields reported together). <c>type</c> must name
/// an activity type of the rules in force; <c>quantity</c> is more than 0, at most 3 decimals and at most
/// the type's <c>maxQuantity</c>; <c>occurredAt</c> follows <c>issuedAt</c>'s rules.
/// </summary>
public static class ActivityValidator
{
    public static ActivityValidation Validate(JsonElement activity, ReceiptValidationContext context, PointsRules rules)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(rules);
        var errors = new ReceiptValidator.ValidationErrors();
        if (activity.ValueKind != JsonValueKind.Object)
        {
            errors.Add(ReceiptValidator.RootPath, "must be a JSON object.");
            return new ActivityValidation.Invalid(errors.ToDictionary());
        }

        var read = new ReceiptValidator.FieldReader(errors);
        var chainId = read.Identifier(activity, "chainId", "chainId");
        var storeId = read.Identifier(activity, "storeId", "storeId");
        var terminalId = read.Identifier(activity, "terminalId", "terminalId");
        var activityId = read.Identifier(activity, "activityId", "activityId");

        var type = read.RequiredString(activity, "type", "type");
        ActivityRule? rule = null;
        if (type is not null && !rules.Activities.TryGetValue(type, out rule))
        {
            errors.Add("type", $"must be an activity type of the rules: {string.Join(", ", rules.Activities.Keys.Order(StringComparer.Ordinal))}.");
        }

        // Required, unlike on a receipt: an activity without a member earns nothing for anyone.
        string? memberId = null;
        if (read.Required(activity, "memberId", "memberId") is not null)
        {
            memberId = read.OptionalMemberId(activity, "memberId", "memberId");
        }

        var quantity = read.Number(activity, "quantity", "quantity", ReceiptValidator.NumberRule.Quantity);
        if (quantity is { } counted && rule is not null && counted > rule.MaxQuantity)
        {
            errors.Add("quantity", $"must not exceed {rule.MaxQuantity.ToString(CultureInfo.InvariantCulture)} ({rule.Unit}) for '{type}'.");
        }

        var occurredAt = read.Instant(activity, "occurredAt", "occurredAt");
        if (occurredAt > context.Now + ReceiptValidator.MaxAheadOfNow)
        {
            errors.Add("occurredAt", string.Create(CultureInfo.InvariantCulture, $"must not be more than {ReceiptValidator.MaxAheadOfNow.TotalMinutes} minutes in the future."));
        }

        var timeZone = chainId is null ? null : context.ChainTimeZone(chainId);
        DateOnly? businessDate = null;
        if (timeZone is not null && occurredAt is { } instant)
        {
            businessDate = ReceiptValidator.BusinessDateOf(instant, timeZone);
            var oldestAllowed = ReceiptValidator.BusinessDateOf(context.Now, timeZone).AddDays(-context.MaxAgeDays);
            if (businessDate < oldestAllowed)
            {
                errors.Add("occurredAt", string.Create(
                    CultureInfo.InvariantCulture,
                    $"must not be more than {context.MaxAgeDays} days old: its business date {businessDate:yyyy-MM-dd} is before {oldestAllowed:yyyy-MM-dd}."));
            }
        }

        if (errors.Any)
        {
            return new ActivityValidation.Invalid(errors.ToDictionary());
        }

        if (timeZone is null)
        {
            return new ActivityValidation.ChainNotRegistered(chainId!);
        }

        return new ActivityValidation.Valid(new ValidatedActivity(chainId!, storeId!, terminalId!, activityId!, type!, memberId!, quantity!.Value, occurredAt!.Value, businessDate!.Value));
    }
}
