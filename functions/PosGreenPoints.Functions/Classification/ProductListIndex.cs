using System.Numerics;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Classification;

/// <summary>
/// One version of one product list, in memory, laid out for a million rows: one 24-byte struct per row
/// (the GTIN-14 as a number, the validity window as day numbers, where its text starts and how long it
/// is), ordered by GTIN so that the rows of one GTIN (a renewed certificate) lie side by side; the
/// certificate numbers and product names in one <c>char[]</c>; and a hash table of where each GTIN's rows
/// start. A row costs some 33 bytes and its characters rather than two string objects. Rows whose status
/// is not <c>valid</c> can never match and are left out. Immutable, so every invocation of an instance
/// shares it.
/// </summary>
/// <remarks>
/// The hash table is hand-written, open addressing over the sorted rows: with a million GTINs a lookup
/// touches two cache lines where a bisection touches some eight, and it measured twice as fast as both
/// bisection and <see cref="Dictionary{TKey, TValue}"/>, which also takes three times the memory.
/// </remarks>
public sealed class ProductListIndex
{
    private const short Absent = -1;
    private const int InitialCapacity = 1024;

    // Fibonacci hashing: the multiplier spreads GTINs that differ in any digit over the top bits.
    private const ulong HashMultiplier = 0x9E3779B97F4A7C15;

    private readonly Row[] _rows;
    private readonly char[] _text;

    // 1 + the first row of a GTIN, 0 for an empty slot; at most half full, so a probe ends soon.
    private readonly int[] _slots;
    private readonly int _slotShift;

    private ProductListIndex(string listId, string version, int rowCount, Row[] rows, char[] text)
    {
        ListId = listId;
        Version = version;
        RowCount = rowCount;
        _rows = rows;
        _text = text;

        var distinct = 0;
        for (var row = 0; row < rows.Length; row++)
        {
            if (IsFirstOfGtin(row))
            {
                distinct++;
            }
        }

        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, distinct * 2));
        _slots = new int[size];
        _slotShift = 64 - BitOperations.Log2((uint)size);
        for (var row = 0; row < rows.Length; row++)
        {
            if (IsFirstOfGtin(row))
            {
                var slot = Slot(rows[row].Gtin);
                while (_slots[slot] != 0)
                {
                    slot = (slot + 1) & (size - 1);
                }

                _slots[slot] = row + 1;
            }
        }
    }

    public string ListId { get; }
    public string Version { get; }

    /// <summary>The data rows of the file.</summary>
    public int RowCount { get; }

    /// <summary>The rows kept: those that can match.</summary>
    public int MatchableRowCount => _rows.Length;

    /// <summary>
    /// Builds the index of a published list version from its CSV, streaming. The file was validated when
    /// it was published, so a row that breaks the rules now means the stored file is not what was
    /// published, and loading fails rather than classify against part of it.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a valid product list.</exception>
    public static async Task<ProductListIndex> LoadAsync(Stream csv, string listId, string version, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentException.ThrowIfNullOrEmpty(listId);
        ArgumentException.ThrowIfNullOrEmpty(version);

        using var parser = ProductListCsv.Open(csv, badData: null);
        if (!await parser.ReadAsync())
        {
            throw new InvalidDataException($"Version {version} of {listId} has no header.");
        }

        var header = parser.Record ?? [];
        var gtinColumn = Column(header, ProductListColumns.Gtin, listId, version);
        var validFromColumn = Column(header, ProductListColumns.ValidFrom, listId, version);
        var validToColumn = Column(header, ProductListColumns.ValidTo, listId, version);
        var statusColumn = Array.IndexOf(header, ProductListColumns.Status);
        var certificateColumn = Array.IndexOf(header, ProductListColumns.CertificateNumber);
        var productNameColumn = Array.IndexOf(header, ProductListColumns.ProductName);

        var rows = new Builder();
        var row = 0;
        try
        {
            while (await parser.ReadAsync())
            {
                cancellationToken.ThrowIfCancellationRequested();
                row++;
                if (parser.Count != header.Length)
                {
                    throw new InvalidDataException($"has {parser.Count} fields; the header has {header.Length}");
                }

                if (statusColumn >= 0 && parser[statusColumn] != ProductListColumns.StatusValid)
                {
                    continue;
                }

                if (!Gtin.TryNormalize(parser[gtinColumn], out var gtin14))
                {
                    throw new InvalidDataException("has no valid GTIN");
                }

                var validFrom = ParseDate(parser[validFromColumn]);
                var validTo = ParseDate(parser[validToColumn]);
                rows.Add(
                    GtinKey(gtin14),
                    validFrom,
                    validTo,
                    certificateColumn >= 0 ? parser[certificateColumn] : null,
                    productNameColumn >= 0 ? parser[productNameColumn] : null);
            }
        }
        catch (InvalidDataException failure)
        {
            throw new InvalidDataException($"Row {row} of version {version} of {listId} {failure.Message}.", failure);
        }

        return rows.Build(listId, version, row);
    }

    /// <summary>The number a 14-digit GTIN is kept as.</summary>
    public static long GtinKey(string gtin14) =>
        TryGetKey(gtin14, out var key) && gtin14.Length == Gtin.NormalizedLength
            ? key
            : throw new ArgumentException("Not a GTIN-14.", nameof(gtin14));

    /// <summary>
    /// The digits of a GTIN-8, -12, -13 or -14 as a number: the same number for every form of one GTIN,
    /// since the short forms differ from the 14-digit one only by leading zeros. No check digit test:
    /// GTINs reach here validated.
    /// </summary>
    internal static bool TryGetKey(ReadOnlySpan<char> gtin, out long key)
    {
        key = 0;
        if (gtin.Length is not (8 or 12 or 13 or Gtin.NormalizedLength))
        {
            return false;
        }

        foreach (var character in gtin)
        {
            var digit = (uint)(character - '0');
            if (digit > 9)
            {
                return false;
            }

            key = (key * 10) + digit;
        }

        return true;
    }

    /// <returns>The row of this GTIN whose window holds <paramref name="dayNumber"/>, or -1.</returns>
    internal int Find(long gtin, int dayNumber)
    {
        var rows = _rows;
        var mask = _slots.Length - 1;
        for (var slot = Slot(gtin); _slots[slot] != 0; slot = (slot + 1) & mask)
        {
            var first = _slots[slot] - 1;
            if (rows[first].Gtin != gtin)
            {
                continue;
            }

            for (var row = first; row < rows.Length && rows[row].Gtin == gtin; row++)
            {
                if (rows[row].ValidFrom <= dayNumber && dayNumber <= rows[row].ValidTo)
                {
                    return row;
                }
            }

            return -1;
        }

        return -1;
    }

    private int Slot(long gtin) => (int)(((ulong)gtin * HashMultiplier) >> _slotShift);

    private bool IsFirstOfGtin(int row) => row == 0 || _rows[row].Gtin != _rows[row - 1].Gtin;

    internal ListMatch Match(int row)
    {
        ref readonly var found = ref _rows[row];
        var certificate = found.CertificateLength == Absent ? null : new string(_text, found.TextStart, found.CertificateLength);
        var productName = found.ProductNameLength == Absent
            ? null
            : new string(_text, found.TextStart + Math.Max(found.CertificateLength, (short)0), found.ProductNameLength);
        return new ListMatch(ListId, Version, certificate, productName);
    }

    private static int Column(string[] header, string name, string listId, string version)
    {
        var index = Array.IndexOf(header, name);
        return index >= 0 ? index : throw new InvalidDataException($"Version {version} of {listId} has no column {name}.");
    }

    private static int ParseDate(string value) =>
        ProductListCsv.TryParseDate(value, out var date)
            ? date.DayNumber
            : throw new InvalidDataException($"has '{value}' for a date");

    /// <summary>One row: its GTIN, its validity window, and its text in the shared buffer.</summary>
    private readonly record struct Row(long Gtin, int ValidFrom, int ValidTo, int TextStart, short CertificateLength, short ProductNameLength);

    /// <summary>Collects rows in file order, then sorts them by GTIN once.</summary>
    private sealed class Builder
    {
        private long[] _gtins = new long[InitialCapacity];
        private Row[] _rows = new Row[InitialCapacity];
        private char[] _text = new char[InitialCapacity * 16];
        private int _count;
        private int _textLength;

        public void Add(long gtin, int validFrom, int validTo, string? certificate, string? productName)
        {
            if (_count == _gtins.Length)
            {
                Array.Resize(ref _gtins, _count * 2);
                Array.Resize(ref _rows, _count * 2);
            }

            var textStart = _textLength;
            var certificateLength = AppendText(certificate);
            // An empty name says nothing: kept as none.
            var productNameLength = AppendText(productName is { Length: > 0 } ? productName : null);
            _gtins[_count] = gtin;
            _rows[_count] = new Row(gtin, validFrom, validTo, textStart, certificateLength, productNameLength);
            _count++;
        }

        public ProductListIndex Build(string listId, string version, int rowCount)
        {
            // A copy of the right length: what the index keeps is what it needs, not the growth slack. The
            // GTINs are sorted beside it as plain keys, which Array.Sort does far faster than structs.
            var rows = _rows.AsSpan(0, _count).ToArray();
            Array.Sort(_gtins, rows, 0, _count);
            return new ProductListIndex(listId, version, rowCount, rows, _text.AsSpan(0, _textLength).ToArray());
        }

        private short AppendText(string? text)
        {
            if (text is null)
            {
                return Absent;
            }

            if (_textLength + text.Length > _text.Length)
            {
                Array.Resize(ref _text, Math.Max(_text.Length * 2, _textLength + text.Length));
            }

            text.CopyTo(_text.AsSpan(_textLength));
            _textLength += text.Length;
            // Validated text is at most 200 characters, 400 UTF-16 units.
            return checked((short)text.Length);
        }
    }
}
