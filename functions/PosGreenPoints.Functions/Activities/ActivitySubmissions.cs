using System.Text.Json;
using Microsoft.Extensions.Options;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Activities;

/// <summary>
/// Posting activities, one or a batch: the chain's time zone, the caller's chain scope, validation against
/// the rules in force, then <see cref="ActivityIntake"/>. Both routes share this, so an activity is judged
/// the same either way. Retail and service chains alike may post activities (activities.md).
/// </summary>
public sealed class ActivitySubmissions(ChainRegistry chains, ActivityIntake intake, PointsRules rules, TimeProvider clock, IOptions<ReceiptOptions> options)
{
    public async Task<SubmissionOutcome> SubmitAsync(JsonElement activity, Caller caller, CancellationToken cancellationToken) =>
        (await SubmitBatchAsync([activity], caller, cancellationToken))[0];

    /// <summary>One outcome per activity, in input order; one bad activity does not sink the others.</summary>
    public async Task<IReadOnlyList<SubmissionOutcome>> SubmitBatchAsync(IReadOnlyList<JsonElement> activities, Caller caller, CancellationToken cancellationToken)
    {
        var judged = await JudgeAsync(activities, caller, cancellationToken);
        var valid = judged.Select(item => item.Valid).OfType<ValidatedActivity>().ToList();
        var stored = valid.Count == 0 ? [] : await intake.AcceptAsync(valid, caller.ClientId, cancellationToken);
        var next = 0;
        return judged.Select(item => item.Valid is null ? item.Refused! : new SubmissionOutcome.Stored(stored[next++])).ToList();
    }

    /// <summary>Judges, then locks the zone of every chain with a valid activity; where an operator changed a zone in between (only before a chain's first post), judges again.</summary>
    private async Task<List<(ValidatedActivity? Valid, SubmissionOutcome? Refused)>> JudgeAsync(IReadOnlyList<JsonElement> activities, Caller caller, CancellationToken cancellationToken)
    {
        while (true)
        {
            var timeZones = new Dictionary<string, TimeZoneInfo?>(StringComparer.Ordinal);
            foreach (var chainId in activities.Select(ChainIdOf).OfType<string>().Distinct(StringComparer.Ordinal).Where(caller.CanAccessChain))
            {
                timeZones[chainId] = (await chains.GetAsync(chainId, cancellationToken))?.TimeZone;
            }

            var context = new ReceiptValidationContext(clock.GetUtcNow(), options.Value.MaxAgeDays, chainId => timeZones.GetValueOrDefault(chainId));
            var judged = activities.Select<JsonElement, (ValidatedActivity?, SubmissionOutcome?)>(activity =>
            {
                // Scope before content: a key learns nothing about chains that are not its own.
                if (ChainIdOf(activity) is { } chainId && !caller.CanAccessChain(chainId))
                {
                    return (null, new SubmissionOutcome.OutOfScope(chainId));
                }

                return ActivityValidator.Validate(activity, context, rules) switch
                {
                    ActivityValidation.Valid valid => (valid.Activity, null),
                    ActivityValidation.Invalid invalid => (null, new SubmissionOutcome.Invalid(invalid.Errors)),
                    ActivityValidation.ChainNotRegistered unregistered => (null, new SubmissionOutcome.ChainNotRegistered(unregistered.ChainId)),
                    _ => throw new InvalidOperationException("Unknown validation outcome."),
                };
            }).ToList();

            var stable = true;
            foreach (var chainId in judged.Select(item => item.Item1?.ChainId).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                stable &= await chains.LockTimeZoneAsync(chainId, timeZones[chainId]!, cancellationToken);
            }

            if (stable)
            {
                return judged;
            }
        }
    }

    private static string? ChainIdOf(JsonElement activity) =>
        activity.ValueKind == JsonValueKind.Object
        && activity.TryGetProperty("chainId", out var chainId)
        && chainId.ValueKind == JsonValueKind.String
        && ChainRegistry.IsValidChainId(chainId.GetString())
            ? chainId.GetString()
            : null;
}
