using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Contracts.Redemptions;

namespace PosGreenPoints.Functions.Redemption;

/// <summary>What a redemption request came to; the function class maps each case to its answer.</summary>
public abstract record RedemptionOutcome
{
    private RedemptionOutcome()
    {
    }

    /// <summary>201 for a new reservation or refund, 200 for every other success (and repeats, with <c>duplicate</c>).</summary>
    public sealed record Done(object View, bool Created) : RedemptionOutcome;

    public sealed record Balance(MemberPointsView View) : RedemptionOutcome;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : RedemptionOutcome;

    /// <summary>A key outside its chains: 403.</summary>
    public sealed record OutsideScope : RedemptionOutcome;

    public sealed record ChainNotRegistered(string ChainId) : RedemptionOutcome;

    /// <summary>Unknown, expired or used: one answer for all three (404 <c>member-code-invalid</c>).</summary>
    public sealed record CodeInvalid : RedemptionOutcome;

    /// <summary>Too many failed code look-ups this minute: 429 with <c>Retry-After</c>.</summary>
    public sealed record CodeLookupsLimited(TimeSpan RetryAfter) : RedemptionOutcome;

    public sealed record InsufficientPoints(long Available, long Asked) : RedemptionOutcome;

    public sealed record TooManyOpenReservations(int Open) : RedemptionOutcome;

    /// <summary>The id was used with other content: 409 <c>redemption-conflict</c> or <c>refund-conflict</c>.</summary>
    public sealed record Conflict(bool Refund) : RedemptionOutcome;

    /// <summary>No such redemption at this chain (or none the key may see).</summary>
    public sealed record NotFound : RedemptionOutcome;

    /// <summary>A commit of a redemption that is cancelled or lapsed: 409 <c>redemption-not-open</c>, naming the status.</summary>
    public sealed record NotOpen(string Status) : RedemptionOutcome;

    /// <summary>A cancel of a committed redemption: 409 <c>redemption-committed</c> (refund it instead).</summary>
    public sealed record AlreadyCommitted : RedemptionOutcome;

    /// <summary>A refund of a redemption that is not committed: 409 <c>redemption-not-committed</c>.</summary>
    public sealed record NotCommitted(string Status) : RedemptionOutcome;
}
