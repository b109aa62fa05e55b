using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using PosGreenPoints.Contracts.Clearing;
using PosGreenPoints.Functions.Settlement;

namespace PosGreenPoints.Functions.Clearing;

/// <summary>The <c>direction</c> column: from the file's chain's side.</summary>
public static class ClearingDirections
{
    /// <summary>The counterparty owes this chain: <c>amount</c> positive.</summary>
    public const string Receivable = "receivable";

    /// <summary>This chain owes the counterparty: <c>amount</c> negative.</summary>
    public const string Payable = "payable";
}

/// <summary>
/// One row of a chain's clearing file: a clearing entry seen from <see cref="ChainId"/>'s side, where
/// <see cref="Points"/> and <see cref="Amount"/> are signed alike (positive receivable, negative payable),
/// so that <c>amount</c> = <c>points</c> × <c>yuan_per_point</c> on every row and every column sums.
/// </summary>
public sealed record ClearingRow(
    string ChainId,
    string CounterpartyChainId,
    string Direction,
    string Kind,
    string Reference,
    string LotId,
    string StoreId,
    string TerminalId,
    string MemberRef,
    long Points,
    decimal YuanPerPoint,
    decimal Amount)
{
    private const char Separator = '\0';

    /// <summary>The two rows of an entry: the redeemer's (the issuer owes it) and the issuer's; <c>member_ref</c> is each chain's own pseudonym.</summary>
    public static (ClearingRow Redeemer, ClearingRow Issuer) Sides(ClearingEntry entry, MemberPseudonyms pseudonyms)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(pseudonyms);
        return (
            Side(entry.RedeemerChainId, entry.IssuerChainId, entry.Points, entry.Amount, entry, pseudonyms),
            Side(entry.IssuerChainId, entry.RedeemerChainId, -entry.Points, -entry.Amount, entry, pseudonyms));
    }

    /// <summary>
    /// The row as one string whose ordinal order is the file order: chain, then clearing.md's
    /// <c>counterparty_chain_id</c>, <c>kind</c>, <c>reference</c>, <c>lot_id</c>, then the other cells, so
    /// that even rows equal in those four have one order. NUL separates the fields: it sorts below every
    /// character an id may hold, so a shorter field sorts first, as a comparison field by field would.
    /// </summary>
    public string SpoolKey()
    {
        string[] fields =
        [
            ChainId, CounterpartyChainId, Kind, Reference, LotId, Direction, StoreId, TerminalId, MemberRef,
            Points.ToString(CultureInfo.InvariantCulture), ClearingCsv.Money(YuanPerPoint), ClearingCsv.Money(Amount),
        ];
        foreach (var field in fields)
        {
            if (field.Contains(Separator, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"A clearing cell holds a NUL character: '{field.Replace(Separator, '?')}'.");
            }
        }

        return string.Join(Separator, fields);
    }

    public static ClearingRow FromSpoolKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var fields = key.Split(Separator);
        return new ClearingRow(
            fields[0], fields[1], fields[5], fields[2], fields[3], fields[4], fields[6], fields[7], fields[8],
            long.Parse(fields[9], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture),
            decimal.Parse(fields[10], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture),
            decimal.Parse(fields[11], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture));
    }

    /// <summary>The chain id a spool key belongs to.</summary>
    public static string ChainOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key[..key.IndexOf(Separator, StringComparison.Ordinal)];
    }

    private static ClearingRow Side(string chainId, string counterparty, long points, decimal amount, ClearingEntry entry, MemberPseudonyms pseudonyms) =>
        new(chainId, counterparty, amount > 0 ? ClearingDirections.Receivable : ClearingDirections.Payable, entry.Kind, entry.Reference, entry.LotId,
            entry.StoreId ?? "", entry.TerminalId ?? "", pseudonyms.Of(chainId, entry.MemberId), points, entry.YuanPerPoint, amount);
}

/// <summary>What writing one chain's clearing file came to: the manifest's money figures and the file.</summary>
public sealed record ClearingFileTotals(int RowCount, IReadOnlyList<ClearingCounterparty> Counterparties, decimal Receivable, decimal Payable, long Bytes, string Sha256)
{
    public decimal Net => Receivable - Payable;
}

/// <summary>
/// The clearing CSV (clearing.md, "Files"): UTF-8 with a BOM, CRLF, RFC 4180 quoting and text cells
/// neutralised against formula injection, exactly as settlement writes (<see cref="SettlementCsv"/>);
/// rows arrive in file order and the totals are gathered on the way, so memory stays flat.
/// </summary>
public static class ClearingCsv
{
    public static readonly IReadOnlyList<string> Columns =
    [
        "clearing_date", "chain_id", "counterparty_chain_id", "direction", "kind", "reference", "lot_id",
        "store_id", "terminal_id", "member_ref", "points", "yuan_per_point", "amount",
    ];

    private static readonly UTF8Encoding Utf8WithoutBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly CsvConfiguration Configuration = new(CultureInfo.InvariantCulture)
    {
        NewLine = "\r\n",
        // As settlement: signed amounts must stay numbers; text cells are neutralised one by one.
        InjectionOptions = InjectionOptions.None,
        ShouldQuote = args => args.Field is { Length: > 0 } field
            && (field.AsSpan().IndexOfAny("\",\r\n") >= 0 || char.IsWhiteSpace(field[0]) || char.IsWhiteSpace(field[^1])),
    };

    public static string FileName(string chainId, DateOnly clearingDate) =>
        $"{chainId}-{clearingDate.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}.clearing.csv";

    public static string Money(decimal amount) => SettlementCsv.Money(amount);

    /// <summary>Writes <paramref name="chainId"/>'s file to <paramref name="destination"/> (left open) from its rows in file order.</summary>
    public static async Task<ClearingFileTotals> WriteAsync(string chainId, DateOnly clearingDate, IEnumerable<ClearingRow> rows, Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var date = clearingDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var hashing = new HashingWriteStream(destination);
        await using (hashing.ConfigureAwait(false))
        {
            await hashing.WriteAsync(Encoding.UTF8.Preamble.ToArray(), cancellationToken);
            var totals = new Totals(chainId);
            var text = new StreamWriter(hashing, Utf8WithoutBom, bufferSize: 64 * 1024, leaveOpen: true);
            await using (text.ConfigureAwait(false))
            {
                var csv = new CsvWriter(text, Configuration, leaveOpen: true);
                await using (csv.ConfigureAwait(false))
                {
                    foreach (var column in Columns)
                    {
                        csv.WriteField(column);
                    }

                    await csv.NextRecordAsync();
                    foreach (var row in rows)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        csv.WriteField(date);
                        csv.WriteField(SettlementCsv.Neutralise(row.ChainId));
                        csv.WriteField(SettlementCsv.Neutralise(row.CounterpartyChainId));
                        csv.WriteField(row.Direction);
                        csv.WriteField(row.Kind);
                        csv.WriteField(SettlementCsv.Neutralise(row.Reference));
                        csv.WriteField(SettlementCsv.Neutralise(row.LotId));
                        csv.WriteField(SettlementCsv.Neutralise(row.StoreId));
                        csv.WriteField(SettlementCsv.Neutralise(row.TerminalId));
                        csv.WriteField(row.MemberRef);
                        csv.WriteField(row.Points.ToString(CultureInfo.InvariantCulture));
                        csv.WriteField(Money(row.YuanPerPoint));
                        csv.WriteField(Money(row.Amount));
                        await csv.NextRecordAsync();
                        totals.Add(row);
                    }

                    await csv.FlushAsync();
                }

                await text.FlushAsync(cancellationToken);
            }

            await hashing.FlushAsync(cancellationToken);
            return totals.Finish(hashing.BytesWritten, hashing.GetSha256());
        }
    }

    /// <summary>Running totals; rows come sorted by counterparty, so a counterparty's figures close when it changes.</summary>
    private sealed class Totals(string chainId)
    {
        private readonly List<ClearingCounterparty> _counterparties = [];
        private int _rows;
        private decimal _receivable;
        private decimal _payable;
        private string? _counterparty;
        private decimal _counterpartyReceivable;
        private decimal _counterpartyPayable;

        public void Add(ClearingRow row)
        {
            if (!string.Equals(row.ChainId, chainId, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"A row of {row.ChainId} reached the file of {chainId}.");
            }

            if (!string.Equals(row.CounterpartyChainId, _counterparty, StringComparison.Ordinal))
            {
                if (_counterparty is not null && string.CompareOrdinal(row.CounterpartyChainId, _counterparty) < 0)
                {
                    throw new InvalidOperationException("Clearing rows must come sorted by counterparty.");
                }

                Close();
                _counterparty = row.CounterpartyChainId;
            }

            _rows++;
            if (row.Amount > 0)
            {
                _receivable += row.Amount;
                _counterpartyReceivable += row.Amount;
            }
            else
            {
                _payable -= row.Amount;
                _counterpartyPayable -= row.Amount;
            }
        }

        public ClearingFileTotals Finish(long bytes, string sha256)
        {
            Close();
            return new ClearingFileTotals(_rows, _counterparties, _receivable, _payable, bytes, sha256);
        }

        private void Close()
        {
            if (_counterparty is not null)
            {
                _counterparties.Add(new ClearingCounterparty(_counterparty, Money(_counterpartyReceivable), Money(_counterpartyPayable), Money(_counterpartyReceivable - _counterpartyPayable)));
            }

            _counterparty = null;
            _counterpartyReceivable = _counterpartyPayable = 0;
        }
    }
}
