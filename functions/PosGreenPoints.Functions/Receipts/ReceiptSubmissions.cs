using System.Text.Json;
using Microsoft.Extensions.Options;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure.Auth;

namespace PosGreenPoints.Functions.Receipts;

/// <summary>What became of a posted receipt, for the function to turn into an HTTP answer.</summary>
public abstract record SubmissionOutcome
{
    private SubmissionOutcome()
    {
    }

    public sealed record Stored(IntakeOutcome Outcome) : SubmissionOutcome;

    public sealed record Invalid(IDictionary<string, string[]> Errors) : SubmissionOutcome;

    public sealed record ChainNotRegistered(string ChainId) : SubmissionOutcome;

    public sealed record OutOfScope(string ChainId) : SubmissionOutcome;

    /// <summary>A service chain posted a receipt: service chains post activities (docs/decisions.md, "Activities").</summary>
    public sealed record ServiceChainReceipt(string ChainId) : SubmissionOutcome;
}

/// <summary>
/// Posting receipts, one or a batch: the chain's time zone, validation, the caller's chain scope, then
/// <see cref="ReceiptIntake"/>. Both routes share this, so a receipt is judged the same either way.
/// </summary>
public sealed class ReceiptSubmissions(ChainRegistry chains, ReceiptIntake intake, ReturnChecks returns, TimeProvider clock, IOptions<ReceiptOptions> options)
{
    public async Task<SubmissionOutcome> SubmitAsync(JsonElement receipt, Caller caller, CancellationToken cancellationToken)
    {
        var judged = (await JudgeAsync([receipt], caller, cancellationToken))[0];
        if (judged is not Judged.Valid valid)
        {
            return ((Judged.Refused)judged).Outcome;
        }

        return new SubmissionOutcome.Stored((await intake.AcceptAsync([valid.Receipt], caller.ClientId, cancellationToken))[0]);
    }

    /// <summary>One outcome per receipt, in input order; one bad receipt does not sink the others.</summary>
    public async Task<IReadOnlyList<SubmissionOutcome>> SubmitBatchAsync(IReadOnlyList<JsonElement> receipts, Caller caller, CancellationToken cancellationToken)
    {
        var judged = await JudgeAsync(receipts, caller, cancellationToken);
        var valid = judged.OfType<Judged.Valid>().ToList();
        var stored = await intake.AcceptAsync(valid.Select(item => item.Receipt).ToList(), caller.ClientId, cancellationToken);

        var outcomes = new SubmissionOutcome[receipts.Count];
        var next = 0;
        for (var index = 0; index < judged.Count; index++)
        {
            outcomes[index] = judged[index] switch
            {
                Judged.Valid => new SubmissionOutcome.Stored(stored[next++]),
                Judged.Refused refused => refused.Outcome,
                _ => throw new InvalidOperationException("A receipt was neither valid nor refused."),
            };
        }

        return outcomes;
    }

    /// <summary>
    /// Judges the receipts, then locks the time zone of every chain with a valid receipt; where an
    /// operator changed a zone in between (only possible before a chain's first post), judges again.
    /// </summary>
    private async Task<IReadOnlyList<Judged>> JudgeAsync(IReadOnlyList<JsonElement> receipts, Caller caller, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (judged, timeZones) = await JudgeOnceAsync(receipts, caller, cancellationToken);
            var stable = true;
            foreach (var chainId in judged.OfType<Judged.Valid>().Select(valid => valid.Receipt.ChainId).Distinct(StringComparer.Ordinal))
            {
                stable &= await chains.LockTimeZoneAsync(chainId, timeZones[chainId]!, cancellationToken);
            }

            if (stable)
            {
                return judged;
            }
        }
    }

    private async Task<(IReadOnlyList<Judged> Judged, Dictionary<string, TimeZoneInfo?> TimeZones)> JudgeOnceAsync(IReadOnlyList<JsonElement> receipts, Caller caller, CancellationToken cancellationToken)
    {
        // Each distinct chain is looked up once per request (and cached by the registry).
        var timeZones = new Dictionary<string, TimeZoneInfo?>(StringComparer.Ordinal);
        var serviceChains = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chainId in receipts.Select(ChainIdOf).OfType<string>().Distinct(StringComparer.Ordinal))
        {
            if (caller.CanAccessChain(chainId))
            {
                var chain = await chains.GetAsync(chainId, cancellationToken);
                timeZones[chainId] = chain?.TimeZone;
                if (chain?.IsService == true)
                {
                    serviceChains.Add(chainId);
                }
            }
        }

        var context = new ReceiptValidationContext(clock.GetUtcNow(), options.Value.MaxAgeDays, chainId => timeZones.GetValueOrDefault(chainId));
        var judged = receipts.Select<JsonElement, Judged>(receipt =>
        {
            // Scope before content: a key learns nothing about chains that are not its own.
            if (ChainIdOf(receipt) is { } chainId && !caller.CanAccessChain(chainId))
            {
                return new Judged.Refused(new SubmissionOutcome.OutOfScope(chainId));
            }

            if (ChainIdOf(receipt) is { } serviceChainId && serviceChains.Contains(serviceChainId))
            {
                return new Judged.Refused(new SubmissionOutcome.ServiceChainReceipt(serviceChainId));
            }

            return ReceiptValidator.Validate(receipt, context) switch
            {
                ReceiptValidation.Valid valid => new Judged.Valid(valid.Receipt),
                ReceiptValidation.Invalid invalid => new Judged.Refused(new SubmissionOutcome.Invalid(invalid.Errors)),
                ReceiptValidation.ChainNotRegistered unregistered => new Judged.Refused(new SubmissionOutcome.ChainNotRegistered(unregistered.ChainId)),
                _ => throw new InvalidOperationException("Unknown validation outcome."),
            };
        }).ToList();

        for (var index = 0; index < judged.Count; index++)
        {
            if (judged[index] is Judged.Valid { Receipt.IsReturn: true } valid
                && await returns.CheckAsync(valid.Receipt, cancellationToken) is { } errors)
            {
                judged[index] = new Judged.Refused(new SubmissionOutcome.Invalid(errors));
            }
        }

        return (judged, timeZones);
    }

    private static string? ChainIdOf(JsonElement receipt) =>
        receipt.ValueKind == JsonValueKind.Object
        && receipt.TryGetProperty("chainId", out var chainId)
        && chainId.ValueKind == JsonValueKind.String
        && ChainRegistry.IsValidChainId(chainId.GetString())
            ? chainId.GetString()
            : null;

    private abstract record Judged
    {
        public sealed record Valid(ValidatedReceipt Receipt) : Judged;

        public sealed record Refused(SubmissionOutcome Outcome) : Judged;
    }
}
