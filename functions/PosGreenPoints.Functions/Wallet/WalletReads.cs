using System.Text;
using PosGreenPoints.Contracts.Members;
using PosGreenPoints.Functions.Infrastructure.Auth;

namespace PosGreenPoints.Functions.Wallet;

/// <summary>A statement page asked for: instants from and to (inclusive), and where the last page stopped.</summary>
public sealed record StatementQuery(DateTimeOffset? From, DateTimeOffset? To, string? Continuation);

/// <summary>Why a statement query cannot be answered: a 400 at <see cref="Parameter"/>.</summary>
public sealed record StatementQueryError(string Parameter, string Message);

/// <summary>
/// Reads of a member's wallet — balance, statement, lots — and who may see what (wallet.md, "Who may
/// read a member"): <c>operator</c> and <c>app</c> any member; <c>pos</c> and <c>chain</c> only a member
/// with a posting at one of their chains (else the same "not found" as for an unknown member), and of
/// other chains' entries only kind, points, date and chain.
/// </summary>
public sealed class WalletReads(MemberStore store, TimeProvider clock)
{
    public async Task<MemberPointsView?> BalanceAsync(string memberId, Caller caller, CancellationToken cancellationToken)
    {
        if (await VisibleWalletAsync(memberId, caller, cancellationToken) is not { } wallet)
        {
            return null;
        }

        return BalanceView(memberId, WalletDecider.BalanceAt(wallet.State, clock.GetUtcNow()));
    }

    /// <summary>A balance as the API answers it (by member id or by member code).</summary>
    public static MemberPointsView BalanceView(string memberId, WalletBalance balance) =>
        new(memberId, balance.Balance, balance.Available, balance.Pending, balance.Reserved, balance.Debt,
            balance.Earned, balance.Reversed, balance.Redeemed, balance.Expired,
            balance.NextExpiryAt is { } expiresAt ? new NextExpiryView(balance.NextExpiryPoints, expiresAt) : null,
            balance.UpdatedAt);

    public async Task<LotsView?> LotsAsync(string memberId, Caller caller, CancellationToken cancellationToken)
    {
        if (await VisibleWalletAsync(memberId, caller, cancellationToken) is not { } wallet)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        return new LotsView(memberId, WalletDecider.OpenLots(wallet.State, now)
            .Select(lot => new LotView(SeesAll(caller, lot.IssuerChainId) ? lot.LotId : null, lot.IssuerChainId, lot.Points, lot.Remaining, lot.Reserved,
                lot.EarnedAt, lot.AvailableAt, lot.ExpiresAt, lot.IsAvailableAt(now) ? "available" : "pending"))
            .ToList());
    }

    /// <summary>
    /// A page of the statement: the stored entries, merged with the expiries that are due but not made
    /// durable yet (they count from their instant on, wallet.md), under the row keys the expiry timer
    /// will give them, so a page boundary never shows one twice or skips it.
    /// </summary>
    /// <returns>The page; null when the member is not visible; an error for a bad continuation.</returns>
    public async Task<(StatementView? Page, StatementQueryError? Error)> StatementAsync(string memberId, Caller caller, StatementQuery query, CancellationToken cancellationToken)
    {
        var prefix = MemberRows.StatementPrefix(memberId);
        Cursor? after = null;
        if (query.Continuation is { } token && (after = Cursor.Parse(token, prefix)) is null)
        {
            return (null, new StatementQueryError("continuation", "is not a continuation this statement gave."));
        }

        if (await VisibleWalletAsync(memberId, caller, cancellationToken) is not { } wallet)
        {
            return (null, null);
        }

        var low = query.To is { } to ? MemberRows.StatementKey(memberId, to) : prefix;
        // Entries at exactly `from` have keys that extend its key; '"' sorts after the '!' that follows it.
        var high = query.From is { } from ? MemberRows.StatementKey(memberId, from) + "\"" : prefix[..^1] + "\"";
        var start = after is null ? low : string.CompareOrdinal(after.RowKey, low) > 0 ? after.RowKey : low;

        var due = WalletDecider.DueEntries(wallet.State, clock.GetUtcNow())
            .GroupBy(entry => entry.PostedAt)
            .Select(group => (RowKey: StatementRows.RowKey(memberId, group.First()), Entries: (IReadOnlyList<StatementEntry>)group.ToList()))
            .Where(row => string.CompareOrdinal(row.RowKey, start) >= 0 && string.CompareOrdinal(row.RowKey, high) < 0);

        var (stored, more) = await store.ReadStatementRowsAsync(memberId, start, high, StatementView.MaxEntriesPerPage, cancellationToken);
        var rows = stored.Select(row => (row.RowKey, Entries: StatementRows.Entries(row))).ToList();
        var lastStored = rows.Count > 0 ? rows[^1].RowKey : null;
        // A due expiry beyond the last stored row read may be stored already further on: it waits for the page that reads there.
        rows.AddRange(due.Where(row => !rows.Any(storedRow => storedRow.RowKey == row.RowKey) && (!more || string.CompareOrdinal(row.RowKey, lastStored) < 0)));
        rows.Sort((left, right) => string.CompareOrdinal(left.RowKey, right.RowKey));

        var entries = new List<StatementEntryView>();
        string? continuation = null;
        foreach (var (rowKey, rowEntries) in rows)
        {
            var skip = after is not null && rowKey == after.RowKey ? after.Index : 0;
            for (var index = skip; index < rowEntries.Count; index++)
            {
                if (entries.Count == StatementView.MaxEntriesPerPage)
                {
                    continuation = new Cursor(rowKey, index).ToToken(prefix);
                    return (new StatementView(entries, continuation), null);
                }

                entries.Add(View(rowEntries[index], caller));
            }
        }

        if (more && lastStored is not null)
        {
            // The next page starts after the last row read: at it, past all its entries.
            continuation = new Cursor(lastStored, rows.First(row => row.RowKey == lastStored).Entries.Count).ToToken(prefix);
        }

        return (new StatementView(entries, continuation), null);
    }

    private static StatementEntryView View(StatementEntry entry, Caller caller) =>
        SeesAll(caller, entry.ChainId)
            ? new StatementEntryView(entry.PostedAt, entry.Kind, entry.Points, entry.ChainId, entry.Reference, entry.LotId, entry.Note)
            : new StatementEntryView(entry.PostedAt, entry.Kind, entry.Points, entry.ChainId);

    private static bool SeesAll(Caller caller, string chainId) =>
        caller.Role is Role.Operator or Role.App || caller.Chains.Contains(chainId);

    private async Task<StoredWallet?> VisibleWalletAsync(string memberId, Caller caller, CancellationToken cancellationToken)
    {
        var wallet = await store.FindWalletAsync(memberId, cancellationToken);
        return wallet is not null && (caller.Role is Role.Operator or Role.App || wallet.State.Chains.Any(caller.Chains.Contains)) ? wallet : null;
    }

    /// <summary>Where a page stopped: a statement row and the index of the first entry of it not shown yet. Opaque to callers.</summary>
    private sealed record Cursor(string RowKey, int Index)
    {
        public string ToToken(string prefix) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Index}|{RowKey[prefix.Length..]}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static Cursor? Parse(string token, string prefix)
        {
            try
            {
                var base64 = token.Replace('-', '+').Replace('_', '/');
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=')));
                var bar = text.IndexOf('|', StringComparison.Ordinal);
                return bar > 0 && int.TryParse(text.AsSpan(0, bar), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index < 10_000
                    ? new Cursor(prefix + text[(bar + 1)..], index)
                    : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}
