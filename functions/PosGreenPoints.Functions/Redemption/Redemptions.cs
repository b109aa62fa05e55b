using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PosGreenPoints.Contracts.Events;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Contracts.Redemptions;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Events;
using PosGreenPoints.Functions.Infrastructure.Telemetry;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Functions.Redemption;

/// <summary>
/// Redeeming points (redemption.md): member codes, reserve, commit, cancel, lapse, refund and read.
/// <para>
/// A redemption lives in its member's partition of the Members table, and every change of it is one
/// transaction with the member's wallet under the wallet's ETag (<see cref="MemberStore.TryWriteRedemptionAsync"/>):
/// the hold and the status change together or not at all, two instances racing for one member's points
/// cannot both win (the loser reads again and decides on the new wallet), and a code's use is a row
/// inserted in the same transaction, so a code holds points once. What the wallet does is
/// <see cref="WalletDecider"/>'s: this class reads, asks it, writes, and retries a lost race.
/// </para>
/// <para>
/// Cost: a reservation by code is a code read, the binding of the id to the member (Redemptions table),
/// the member's rows read and one transaction — 4 operations; a commit is the member's rows and one
/// transaction (plus the binding's read on an instance that did not take the reservation).
/// </para>
/// </summary>
public sealed class Redemptions(
    MemberStore members,
    MemberCodeStore codes,
    RedemptionIndex index,
    ChainRegistry chains,
    PointsRules rules,
    EventPublisher events,
    IOptions<RedemptionOptions> options,
    TimeProvider clock,
    ILogger<Redemptions> logger)
{
    private const int MaxAttempts = 50;

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public Task<MemberCodeIssued> IssueCodeAsync(string memberId, CancellationToken cancellationToken) => codes.IssueAsync(memberId, cancellationToken);

    /// <summary>A member's balance by the code they present, without using the code up.</summary>
    public async Task<RedemptionOutcome> BalanceByCodeAsync(string code, Caller caller, CancellationToken cancellationToken)
    {
        if (codes.BlockedFor(caller.ClientId) is { } blocked)
        {
            return new RedemptionOutcome.CodeLookupsLimited(blocked);
        }

        if (await codes.FindAsync(code, cancellationToken) is not { } found)
        {
            return await CodeFailureAsync(caller, cancellationToken);
        }

        var rows = await members.ReadForRedemptionAsync(found.MemberId, "-", "-", found.Hash, cancellationToken);
        if (rows.CodeUsed)
        {
            return await CodeFailureAsync(caller, cancellationToken);
        }

        return new RedemptionOutcome.Balance(WalletReads.BalanceView(found.MemberId, WalletDecider.BalanceAt(rows.Wallet.State, clock.GetUtcNow())));
    }

    public async Task<RedemptionOutcome> ReserveAsync(RedemptionRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var (valid, errors) = RedemptionValidator.Reservation(request, caller.Role, rules.Wallet.MaxPointsPerRedemption);
        if (valid is null)
        {
            return new RedemptionOutcome.Invalid(errors);
        }

        if (!caller.CanAccessChain(valid.ChainId))
        {
            return new RedemptionOutcome.OutsideScope();
        }

        if (await chains.GetAsync(valid.ChainId, cancellationToken) is null)
        {
            return new RedemptionOutcome.ChainNotRegistered(valid.ChainId);
        }

        var contentHash = ContentHash(valid);
        string memberId;
        string? codeHash = null;
        if (valid.MemberCode is { } code)
        {
            if (codes.BlockedFor(caller.ClientId) is { } blocked)
            {
                return new RedemptionOutcome.CodeLookupsLimited(blocked);
            }

            if (await codes.FindAsync(code, cancellationToken) is not { } found)
            {
                // A repeat answers with the redemption's state whether or not its code has expired since.
                return await RepeatAsync(valid.ChainId, valid.RedemptionId, contentHash, cancellationToken)
                    ?? await CodeFailureAsync(caller, cancellationToken);
            }

            memberId = found.MemberId;
            codeHash = found.Hash;
        }
        else
        {
            memberId = valid.MemberId!;
        }

        if (await index.BindAsync(valid.ChainId, valid.RedemptionId, memberId, cancellationToken) != memberId)
        {
            return new RedemptionOutcome.Conflict(Refund: false);
        }

        for (var attempt = 1; ; attempt++)
        {
            var now = clock.GetUtcNow();
            var rows = await members.ReadForRedemptionAsync(memberId, valid.ChainId, valid.RedemptionId, codeHash, cancellationToken);
            if (rows.Redemption is { } existing)
            {
                return existing.Terms.ContentHash == contentHash
                    ? await AnswerAsync(existing, created: false, duplicate: true, cancellationToken)
                    : new RedemptionOutcome.Conflict(Refund: false);
            }

            if (rows.CodeUsed)
            {
                return await CodeFailureAsync(caller, cancellationToken);
            }

            var settled = WalletDecider.Settle(rows.Wallet.State, now);
            if (settled.State.Holds.Count >= Contracts.Limits.MaxOpenReservationsPerMember)
            {
                return new RedemptionOutcome.TooManyOpenReservations(settled.State.Holds.Count);
            }

            var reservedUntil = now + options.Value.Hold;
            if (WalletDecider.Reserve(settled.State, valid.ChainId, valid.RedemptionId, valid.Points, now, reservedUntil) is not { } reserved)
            {
                return new RedemptionOutcome.InsufficientPoints(WalletDecider.AvailableAt(settled.State, now), valid.Points);
            }

            var hold = WalletDecider.FindHold(reserved.State, valid.ChainId, valid.RedemptionId)!;
            var terms = new RedemptionTerms(valid.ChainId, valid.RedemptionId, memberId, valid.StoreId, valid.TerminalId, valid.Points, valid.Purpose,
                rules.Wallet.YuanPerPoint, rules.Version, now, reservedUntil, contentHash, valid.Reason);
            var record = RedemptionRecord.Reserved(terms, hold);
            var change = settled with { State = reserved.State };
            if (valid.Commit)
            {
                (change, record) = Committed(change, record, receipt: null, now);
            }

            if (await members.TryWriteRedemptionAsync(rows, change, record, codeHash, cancellationToken))
            {
                logger.LogInformation("Redemption {RedemptionId} of chain {ChainId} at {StoreId}: {Points} points {Status} by {ClientId}",
                    valid.RedemptionId, valid.ChainId, valid.StoreId, valid.Points, record.Status, caller.ClientId);
                await AfterWriteAsync(memberId, change, record, refund: null, now, cancellationToken);
                return await AnswerAsync(record, created: true, duplicate: false, cancellationToken);
            }

            await PauseAsync(attempt, cancellationToken);
        }
    }

    public async Task<RedemptionOutcome> CommitAsync(string chainId, string redemptionId, CommitRequest? request, Caller caller, CancellationToken cancellationToken)
    {
        var errors = RedemptionValidator.Commit(request, clock.GetUtcNow());
        if (errors.Count > 0)
        {
            return new RedemptionOutcome.Invalid(errors);
        }

        var receipt = request?.Receipt is { } sale ? JsonSerializer.Serialize(sale, Json) : null;
        return await ChangeAsync(chainId, redemptionId, caller, (record, rows, now) =>
        {
            switch (record.StatusAt(now))
            {
                case RedemptionStatuses.Committed:
                    return (null, new RedemptionOutcome.Done(View(record, duplicate: null), Created: false));
                case RedemptionStatuses.Reserved:
                    var settled = WalletDecider.Settle(rows.Wallet.State, now);
                    var (change, committed) = Committed(settled, record, receipt, now);
                    return ((change, committed, null), null);
                default:
                    return (null, new RedemptionOutcome.NotOpen(record.StatusAt(now)));
            }
        }, cancellationToken);
    }

    public Task<RedemptionOutcome> CancelAsync(string chainId, string redemptionId, Caller caller, CancellationToken cancellationToken) =>
        ChangeAsync(chainId, redemptionId, caller, (record, rows, now) =>
        {
            switch (record.StatusAt(now))
            {
                case RedemptionStatuses.Committed:
                    return (null, new RedemptionOutcome.AlreadyCommitted());
                case RedemptionStatuses.Reserved:
                    var settled = WalletDecider.Settle(rows.Wallet.State, now);
                    var cancelled = WalletDecider.Cancel(settled.State, record.Terms.ChainId, record.Terms.RedemptionId, now)!;
                    var change = settled with { State = cancelled.State, Entries = [.. settled.Entries, .. cancelled.Entries] };
                    return ((change, record with { Status = RedemptionStatuses.Cancelled, ClosedAt = now }, null), null);
                default:
                    // Cancelled twice, or after its hold ran out: the points are free either way.
                    return (null, new RedemptionOutcome.Done(View(record with { Status = record.StatusAt(now) }, duplicate: null), Created: false));
            }
        }, cancellationToken);

    public async Task<RedemptionOutcome> RefundAsync(string chainId, string redemptionId, RefundRequest request, Caller caller, CancellationToken cancellationToken)
    {
        var (refundId, points, errors) = RedemptionValidator.Refund(request);
        if (errors.Count > 0)
        {
            return new RedemptionOutcome.Invalid(errors);
        }

        return await ChangeAsync(chainId, redemptionId, caller, (record, rows, now) =>
        {
            if (record.Refunds.FirstOrDefault(refund => refund.RefundId == refundId) is { } earlier)
            {
                return earlier.Points == points
                    ? (null, new RedemptionOutcome.Done(RefundView(record, earlier, duplicate: true), Created: false))
                    : (null, new RedemptionOutcome.Conflict(Refund: true));
            }

            if (record.Status != RedemptionStatuses.Committed)
            {
                return (null, new RedemptionOutcome.NotCommitted(record.StatusAt(now)));
            }

            if (record.Refunded + points > record.Terms.Points)
            {
                return (null, new RedemptionOutcome.Invalid(new Dictionary<string, string[]>
                {
                    ["points"] = [$"is more than the redemption has left to refund: {record.Terms.Points} committed, {record.Refunded} refunded already."],
                }));
            }

            var settled = WalletDecider.Settle(rows.Wallet.State, now);
            var (refunded, givenBack) = WalletDecider.Refund(settled.State, record.Terms.ChainId, refundId!, record.Terms.RedemptionId, record.Redeemed, record.RefundedByLot,
                points, record.Terms.YuanPerPoint, now);
            var refund = new RefundRecord(refundId!, points, now, givenBack);
            var change = settled with { State = refunded.State, Entries = [.. settled.Entries, .. refunded.Entries] };
            return ((change, record with { Refunds = [.. record.Refunds, refund] }, refund), null);
        }, cancellationToken);
    }

    public async Task<RedemptionOutcome> GetAsync(string chainId, string redemptionId, Caller caller, CancellationToken cancellationToken)
    {
        if (!caller.CanAccessChain(chainId) || await index.FindMemberAsync(chainId, redemptionId, cancellationToken) is not { } memberId)
        {
            return new RedemptionOutcome.NotFound();
        }

        var rows = await members.ReadForRedemptionAsync(memberId, chainId, redemptionId, null, cancellationToken);
        return rows.Redemption is { } record
            ? new RedemptionOutcome.Done(View(record with { Status = record.StatusAt(clock.GetUtcNow()) }, duplicate: null), Created: false)
            : new RedemptionOutcome.NotFound();
    }

    /// <summary>
    /// Reads the redemption and its wallet, lets <paramref name="decide"/> say what to write (or what to
    /// answer without writing), writes it with the wallet, and decides again on a lost race.
    /// </summary>
    private async Task<RedemptionOutcome> ChangeAsync(
        string chainId,
        string redemptionId,
        Caller caller,
        Func<RedemptionRecord, MemberRedemptionRows, DateTimeOffset, ((WalletChange Change, RedemptionRecord Record, RefundRecord? Refund)? Write, RedemptionOutcome? Answer)> decide,
        CancellationToken cancellationToken)
    {
        // Another chain's redemption answers as an absent one (api.md).
        if (!caller.CanAccessChain(chainId) || await index.FindMemberAsync(chainId, redemptionId, cancellationToken) is not { } memberId)
        {
            return new RedemptionOutcome.NotFound();
        }

        for (var attempt = 1; ; attempt++)
        {
            var now = clock.GetUtcNow();
            var rows = await members.ReadForRedemptionAsync(memberId, chainId, redemptionId, null, cancellationToken);
            if (rows.Redemption is not { } record)
            {
                // Bound to a member by a reservation that held nothing (too few points).
                return new RedemptionOutcome.NotFound();
            }

            var (write, answer) = decide(record, rows, now);
            if (answer is not null)
            {
                // A repeat of a commit or a refund: its event again, in case the first answer was lost before it went out.
                switch (answer)
                {
                    case RedemptionOutcome.Done { View: RefundView repeated }:
                        await PublishAsync(record, record.Refunds.First(refund => refund.RefundId == repeated.RefundId), cancellationToken);
                        break;
                    case RedemptionOutcome.Done when record.Status == RedemptionStatuses.Committed:
                        await PublishAsync(record, null, cancellationToken);
                        break;
                }

                return answer;
            }

            var (change, next, refund) = write!.Value;
            if (await members.TryWriteRedemptionAsync(rows, change, next, null, cancellationToken))
            {
                logger.LogInformation("Redemption {RedemptionId} of chain {ChainId}: {Status}{Refund} by {ClientId}",
                    redemptionId, chainId, next.Status, refund is null ? "" : $", refund {refund.RefundId} of {refund.Points} points", caller.ClientId);
                await AfterWriteAsync(memberId, change, next, refund, now, cancellationToken);
                return refund is null
                    ? new RedemptionOutcome.Done(View(next, duplicate: null), Created: false)
                    : new RedemptionOutcome.Done(RefundView(next, refund, duplicate: null), Created: true);
            }

            await PauseAsync(attempt, cancellationToken);
        }
    }

    private static (WalletChange Change, RedemptionRecord Record) Committed(WalletChange settled, RedemptionRecord record, string? receipt, DateTimeOffset now)
    {
        var terms = record.Terms;
        var (committed, redeemed) = WalletDecider.Commit(settled.State, terms.ChainId, terms.RedemptionId, now, terms.YuanPerPoint, terms.StoreId, terms.TerminalId)!.Value;
        return (settled with { State = committed.State, Entries = [.. settled.Entries, .. committed.Entries] },
            record with { Status = RedemptionStatuses.Committed, CommittedAt = now, Redeemed = redeemed, Receipt = receipt });
    }

    /// <summary>The answer to a repeat of a reservation whose code no longer resolves; null when it is not one.</summary>
    private async Task<RedemptionOutcome?> RepeatAsync(string chainId, string redemptionId, string contentHash, CancellationToken cancellationToken)
    {
        if (await index.FindMemberAsync(chainId, redemptionId, cancellationToken) is not { } memberId)
        {
            return null;
        }

        var rows = await members.ReadForRedemptionAsync(memberId, chainId, redemptionId, null, cancellationToken);
        return rows.Redemption is not { } record ? null
            : record.Terms.ContentHash == contentHash ? await AnswerAsync(record, created: false, duplicate: true, cancellationToken)
            : new RedemptionOutcome.Conflict(Refund: false);
    }

    private async Task<RedemptionOutcome> AnswerAsync(RedemptionRecord record, bool created, bool duplicate, CancellationToken cancellationToken)
    {
        if (duplicate && record.Status == RedemptionStatuses.Committed)
        {
            await PublishAsync(record, null, cancellationToken);
        }

        return new RedemptionOutcome.Done(View(record with { Status = record.StatusAt(clock.GetUtcNow()) }, duplicate ? true : null), created);
    }

    private async Task<RedemptionOutcome> CodeFailureAsync(Caller caller, CancellationToken cancellationToken) =>
        await codes.RecordFailureAsync(caller.ClientId, cancellationToken) is { } retryAfter
            ? new RedemptionOutcome.CodeLookupsLimited(retryAfter)
            : new RedemptionOutcome.CodeInvalid();

    /// <summary>Events and counters of a written change: redeemed and refunded points, and expiries a release made durable.</summary>
    private async Task AfterWriteAsync(string memberId, WalletChange change, RedemptionRecord record, RefundRecord? refund, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await events.PublishAsync(WalletExpiry.ExpiredEvents(memberId, change, now).ToList(), cancellationToken);
        foreach (var expiry in change.Entries.Where(entry => entry.Kind == EntryKinds.Expiry))
        {
            PosGreenPointsTelemetry.PointsExpired(expiry.ChainId, -expiry.Points);
        }

        if (record.Status == RedemptionStatuses.Committed && (refund is not null || change.Entries.Any(entry => entry.Kind == EntryKinds.Redemption)))
        {
            if (refund is null)
            {
                PosGreenPointsTelemetry.PointsRedeemed(record.Terms.ChainId, record.Terms.Points);
            }

            await PublishAsync(record, refund, cancellationToken);
        }
    }

    /// <summary><c>points.redeemed</c> for a commit, <c>points.refunded</c> for a refund; ids fixed by the posting, so a repeat is dropped by id.</summary>
    private Task PublishAsync(RedemptionRecord record, RefundRecord? refund, CancellationToken cancellationToken)
    {
        var terms = record.Terms;
        var type = refund is null ? EventTypes.PointsRedeemed : EventTypes.PointsRefunded;
        var points = refund?.Points ?? terms.Points;
        var sources = (refund?.GivenBack ?? record.Redeemed.Select(lot => new LotTake(lot.LotId, lot.IssuerChainId, lot.Points)).ToList())
            .GroupBy(take => take.IssuerChainId, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => new PointsSourceData(group.Key, group.Sum(take => take.Points)))
            .ToList();
        var data = new PointsRedeemedData(terms.ChainId, terms.RedemptionId, refund?.RefundId, terms.MemberId, terms.StoreId, terms.TerminalId,
            points, Money(points * terms.YuanPerPoint), Money(terms.YuanPerPoint), sources);
        var id = refund is null ? $"{type}:{terms.ChainId}:{terms.RedemptionId}" : $"{type}:{terms.ChainId}:{terms.RedemptionId}:{refund.RefundId}";
        return events.PublishAsync(new CloudEvent<PointsRedeemedData>(id, "/posgreenpoints/redemptions", type, $"{terms.ChainId}/{terms.RedemptionId}",
            refund?.RefundedAt ?? record.CommittedAt ?? clock.GetUtcNow(), data), cancellationToken);
    }

    private static RedemptionView View(RedemptionRecord record, bool? duplicate)
    {
        var terms = record.Terms;
        var sources = record.Held
            .GroupBy(take => take.IssuerChainId, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => new RedemptionSourceView(group.Key, group.Sum(take => take.Points)))
            .ToList();
        return new RedemptionView(terms.RedemptionId, terms.ChainId, terms.MemberId, terms.StoreId, terms.TerminalId, record.Status, terms.Purpose, terms.Points,
            Money(terms.Points * terms.YuanPerPoint), Money(terms.YuanPerPoint), terms.RulesVersion, terms.ReservedAt, terms.ReservedUntil, record.CommittedAt,
            record.Refunded, sources, StatusUrl(terms.ChainId, terms.RedemptionId), duplicate);
    }

    private static RefundView RefundView(RedemptionRecord record, RefundRecord refund, bool? duplicate) =>
        new(refund.RefundId, refund.Points, refund.RefundedAt, View(record, null), duplicate);

    public static string StatusUrl(string chainId, string redemptionId) =>
        $"/api/v1/redemptions/{Uri.EscapeDataString(chainId)}/{Uri.EscapeDataString(redemptionId)}";

    private static string Money(decimal yuan) => yuan.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>What makes a repeat the same request: every field of it, in a fixed order.</summary>
    private static string ContentHash(ValidReservation valid) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(valid, Json))));

    /// <summary>A lost race for the member's wallet: a short random pause (wall-clock, it spaces requests), then read again.</summary>
    private static async Task PauseAsync(int attempt, CancellationToken cancellationToken)
    {
        if (attempt >= MaxAttempts)
        {
            throw new InvalidOperationException($"A member's wallet kept changing for {MaxAttempts} attempts.");
        }

        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * Math.Min(attempt, 10))), cancellationToken);
    }
}
