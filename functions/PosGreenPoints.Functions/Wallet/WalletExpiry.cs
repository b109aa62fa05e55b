using Microsoft.Extensions.Logging;
using PosGreenPoints.Contracts.Events;
using PosGreenPoints.Functions.Infrastructure.Events;
using PosGreenPoints.Functions.Infrastructure.Telemetry;

namespace PosGreenPoints.Functions.Wallet;

/// <summary>What one run did: wallets written, lots and points expired, reservations released because their hold ran out.</summary>
public sealed record ExpiryRun(int Wallets, int Lots, long Points, int Lapsed);

/// <summary>Which timer runs: the expiry of lots (daily) or the release of lapsed holds (every few minutes).</summary>
public enum WalletDue
{
    Expiry,
    Lapse,
}

/// <summary>
/// The expiry timer's work (wallet.md, "Expiry"): makes durable, once per lot, the expiry of every lot
/// past its date, and emits <c>points.expired</c>. Points past their date already count as expired in
/// every read; this writes it down. Safe to run twice, late (it takes everything due, however old) or
/// on two instances: each wallet is written under the ETag it was read with, and a wallet changed
/// meanwhile is read and decided again. Events go out before the write with ids fixed by member and
/// instant, so a crash between the two repeats an event (consumers drop it by id) and never loses one.
/// Memory stays flat: a bucket is read a page at a time and written in transactions of up to 100 rows.
/// <para>
/// The holds sweep (redemption.md) is the same run over the wallets with a reservation past its hold:
/// both write <see cref="WalletDecider.Settle"/>, which releases lapsed holds and expires due lots in time
/// order, so either timer leaves a wallet as the other would.
/// </para>
/// </summary>
public sealed class WalletExpiry(MemberStore store, EventPublisher events, TimeProvider clock, ILogger<WalletExpiry> logger)
{
    /// <summary>The app setting holding the timer's NCrontab schedule (UTC), like <c>SettlementSchedule</c>.</summary>
    public const string ScheduleSetting = "ExpirySchedule";

    /// <summary>The app setting holding the holds sweep's schedule (operations.md, Timers: every 5 minutes).</summary>
    public const string HoldsScheduleSetting = "HoldsSchedule";

    /// <summary>Wallets decided and written together: one transaction holds about this many (wallet, statement row and its posting-log twin each).</summary>
    private const int WalletsPerWrite = 33;

    private const int MaxAttempts = 20;

    public async Task<ExpiryRun> RunAsync(WalletDue due, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        int wallets = 0, lots = 0, lapsed = 0;
        long points = 0;
        await Parallel.ForEachAsync(store.Buckets, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (partitionKey, token) =>
        {
            var batch = new List<(StoredWallet Wallet, WalletChange Change)>();
            await foreach (var wallet in store.WalletsDueAsync(partitionKey, now, due, token))
            {
                var change = WalletDecider.Settle(wallet.State, now);
                if (Changes(change))
                {
                    batch.Add((wallet, change));
                }

                if (batch.Count == WalletsPerWrite)
                {
                    Count(await WriteAsync(partitionKey, batch, now, token));
                    batch = [];
                }
            }

            if (batch.Count > 0)
            {
                Count(await WriteAsync(partitionKey, batch, now, token));
            }
        });

        logger.LogInformation("{Due} run at {Now}: {Lots} lots of {Wallets} wallets, {Points} points expired, {Lapsed} holds released", due, now, lots, wallets, points, lapsed);
        return new ExpiryRun(wallets, lots, points, lapsed);

        void Count(IReadOnlyList<WalletChange> written)
        {
            Interlocked.Add(ref wallets, written.Count);
            Interlocked.Add(ref lots, written.Sum(change => Expiries(change).Count()));
            Interlocked.Add(ref points, -written.Sum(change => Expiries(change).Sum(entry => entry.Points)));
            Interlocked.Add(ref lapsed, written.Sum(change => change.Lapsed.Count));
        }
    }

    private static bool Changes(WalletChange change) => change.Entries.Count > 0 || change.Lapsed.Count > 0;

    private static IEnumerable<StatementEntry> Expiries(WalletChange change) => change.Entries.Where(entry => entry.Kind == EntryKinds.Expiry);

    /// <returns>The changes written (by this run; a wallet another instance expired first is not among them).</returns>
    private async Task<IReadOnlyList<WalletChange>> WriteAsync(string partitionKey, List<(StoredWallet Wallet, WalletChange Change)> batch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var written = new List<WalletChange>();
        for (var attempt = 1; batch.Count > 0; attempt++)
        {
            await events.PublishAsync(batch.SelectMany(item => ExpiredEvents(item.Wallet.MemberId, item.Change, now)).ToList(), cancellationToken);
            var notWritten = await store.WriteChangesAsync(partitionKey, batch, cancellationToken);
            foreach (var change in batch.Where(item => !notWritten.ContainsKey(item.Wallet.MemberId)).Select(item => item.Change))
            {
                written.Add(change);
                foreach (var entry in Expiries(change))
                {
                    PosGreenPointsTelemetry.PointsExpired(entry.ChainId, -entry.Points);
                }
            }

            if (notWritten.Count > 0 && attempt == MaxAttempts)
            {
                throw new InvalidOperationException($"{notWritten.Count} wallets of bucket {partitionKey} kept changing while their lots expired; the next run takes them.");
            }

            // A wallet changed since it was read (a posting, or another instance expiring it): decide again on it as it is now.
            batch = [.. notWritten.Values.OfType<StoredWallet>()
                .Select(fresh => (Wallet: fresh, Change: WalletDecider.Settle(fresh.State, now)))
                .Where(item => Changes(item.Change))];
        }

        return written;
    }

    /// <summary><c>points.expired</c> of a change: one per member and expiry instant, with an id fixed by both.</summary>
    internal static IEnumerable<CloudEvent<PointsExpiredData>> ExpiredEvents(string memberId, WalletChange change, DateTimeOffset now) =>
        Expiries(change).GroupBy(entry => entry.PostedAt).Select(instant => new CloudEvent<PointsExpiredData>(
            $"{EventTypes.PointsExpired}:{memberId}:{instant.Key.ToUnixTimeMilliseconds()}",
            "/posgreenpoints/wallet",
            EventTypes.PointsExpired,
            memberId,
            now,
            new PointsExpiredData(memberId, instant.Key, -instant.Sum(entry => entry.Points),
                instant.Select(entry => new ExpiredLotData(entry.LotId!, entry.ChainId, -entry.Points)).ToList())));
}
