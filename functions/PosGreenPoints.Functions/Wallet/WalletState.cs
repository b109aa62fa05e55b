namespace PosGreenPoints.Functions.Wallet;

/// <summary>
/// Points of one award (wallet.md, "Lots"). <see cref="Remaining"/> counts the points not yet reversed,
/// redeemed or expired, <see cref="Reserved"/> those of them an open reservation holds.
/// </summary>
/// <param name="LotId">The id of what earned it: receipt, activity or adjustment id.</param>
/// <param name="IssuerChainId">The chain that issued the points and is liable for them.</param>
public sealed record Lot(
    string LotId,
    string IssuerChainId,
    long Points,
    long Remaining,
    long Reserved,
    DateTimeOffset EarnedAt,
    DateTimeOffset AvailableAt,
    DateTimeOffset ExpiresAt)
{
    /// <summary>Remaining points no reservation holds: what a reversal, a redemption or an expiry can take.</summary>
    public long Free => Remaining - Reserved;

    public bool IsExpiredAt(DateTimeOffset instant) => ExpiresAt <= instant;

    public bool IsAvailableAt(DateTimeOffset instant) => AvailableAt <= instant && !IsExpiredAt(instant);
}

/// <summary>Points a reversal could not take from any lot: owed by the member, repaid first by points that become free.</summary>
/// <param name="Reference">The posting that left the debt (a return's receipt id).</param>
/// <param name="ChainId">The chain of that posting, which gets the points back when the debt is repaid.</param>
public sealed record Debt(string Reference, string ChainId, DateTimeOffset IncurredAt, long Points);

/// <summary>Points a posting took from one lot (or gave back to it: a refund), with the lot's issuer (what clearing between chains needs).</summary>
public sealed record LotTake(string LotId, string IssuerChainId, long Points);

/// <summary>
/// Points an open reservation holds (redemption.md): specific points of specific lots, which stay in
/// their lots (<see cref="Lot.Reserved"/>) until the hold is committed, cancelled or lapses at <see cref="ReservedUntil"/>.
/// </summary>
public sealed record Hold(string ChainId, string RedemptionId, long Points, DateTimeOffset ReservedUntil, IReadOnlyList<LotTake> Takes);

/// <summary>
/// Points a committed redemption took from one lot, with what a refund needs to put them back if the
/// lot has left the wallet meanwhile (its dates and size).
/// </summary>
public sealed record RedeemedLot(string LotId, string IssuerChainId, long Points, long LotPoints, DateTimeOffset EarnedAt, DateTimeOffset AvailableAt, DateTimeOffset ExpiresAt);

/// <summary>
/// A member's wallet: the lots with points remaining, the debts, and the running totals. Stored as one
/// entity, so that every posting changes it atomically and a read sees one instant.
/// </summary>
/// <param name="Lots">Lots with <see cref="Lot.Remaining"/> above 0, in award order.</param>
/// <param name="Debts">Debts not repaid yet, oldest first.</param>
/// <param name="Expired">Points whose expiry was made durable (the balance adds lots past their expiry that are not yet).</param>
/// <param name="Chains">The chains with a posting of this member, ordinal order: who may read the member (wallet.md).</param>
public sealed record WalletState(
    IReadOnlyList<Lot> Lots,
    IReadOnlyList<Debt> Debts,
    long Earned,
    long Reversed,
    long Redeemed,
    long Expired,
    IReadOnlyList<string> Chains,
    DateTimeOffset? UpdatedAt)
{
    public static WalletState Empty { get; } = new([], [], 0, 0, 0, 0, [], null);

    /// <summary>Open reservations, in the order they were made; each lot's <see cref="Lot.Reserved"/> is the sum of their takes of it.</summary>
    public IReadOnlyList<Hold> Holds { get; init; } = [];

    public long DebtPoints => Debts.Sum(debt => debt.Points);

    /// <summary>When the first open reservation lapses; null when none is open.</summary>
    public DateTimeOffset? NextLapseAt => Holds.Count == 0 ? null : Holds.Min(hold => hold.ReservedUntil);

    /// <summary>The first instant at which a lot's free points expire; null when none will.</summary>
    public DateTimeOffset? NextExpiryAt => Lots.Where(lot => lot.Free > 0).Select(lot => (DateTimeOffset?)lot.ExpiresAt).Min();
}

/// <summary>Kinds of statement entries (wallet.md, "Statement").</summary>
public static class EntryKinds
{
    public const string Award = "award";
    public const string Reversal = "reversal";
    public const string Redemption = "redemption";
    public const string Refund = "refund";
    public const string Expiry = "expiry";
    public const string Adjustment = "adjustment";
    public const string DebtRepayment = "debt-repayment";
}

/// <summary>One posting as the member's statement shows it; <see cref="Points"/> is what it changed the balance by.</summary>
/// <param name="ChainId">Award and expiry: the lot's issuer; reversal: the return's chain; debt repayment: the chain owed.</param>
/// <param name="Taken">The lots the posting took points from, with their issuers (reversal, expiry, debt repayment).</param>
public sealed record StatementEntry(
    DateTimeOffset PostedAt,
    string Kind,
    long Points,
    string ChainId,
    string Reference,
    string? LotId,
    string? Note,
    IReadOnlyList<LotTake> Taken)
{
    /// <summary>The store (station, venue) of the posting, when it has one: clearing files name it.</summary>
    public string? StoreId { get; init; }

    /// <summary>The till or gate of the posting, when it has one.</summary>
    public string? TerminalId { get; init; }

    /// <summary>What a point of this posting is worth: the value recorded with a redemption, else the rules' value when posted (clearing.md).</summary>
    public decimal? YuanPerPoint { get; init; }
}

/// <summary>What a posting does to a wallet: the new state and the statement entries it adds.</summary>
public sealed record WalletChange(WalletState State, IReadOnlyList<StatementEntry> Entries)
{
    /// <summary>Reservations this change released because their hold ran out: their redemptions are now lapsed.</summary>
    public IReadOnlyList<Hold> Lapsed { get; init; } = [];
}

/// <summary>A member's balance at one instant (wallet.md, "Balance").</summary>
public sealed record WalletBalance(
    long Balance,
    long Available,
    long Pending,
    long Reserved,
    long Debt,
    long Earned,
    long Reversed,
    long Redeemed,
    long Expired,
    long NextExpiryPoints,
    DateTimeOffset? NextExpiryAt,
    DateTimeOffset? UpdatedAt);
