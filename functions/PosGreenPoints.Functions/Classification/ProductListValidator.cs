using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using CsvHelper;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Classification;

/// <summary>A problem with a product-list CSV.</summary>
/// <param name="Row">
/// The data row, 1-based: row 1 is the first record after the header, and a record whose quoted field
/// holds a line break is one row. 0 is the header, or the file as a whole.
/// </param>
/// <param name="Column">The column's header name; null when the problem is the whole row or file.</param>
public sealed record RowError(int Row, string? Column, string Reason);

/// <summary>The verdict on a product-list CSV.</summary>
/// <param name="RowCount">The data rows read.</param>
/// <param name="Errors">The first <see cref="ProductListValidator.MaxReportedErrors"/> problems, in row order.</param>
/// <param name="ErrorCount">All problems found.</param>
public sealed record ProductListValidation(int RowCount, IReadOnlyList<RowError> Errors, int ErrorCount)
{
    public bool IsValid => ErrorCount == 0;
}

/// <summary>
/// Checks a product-list CSV against its list's rules (lists-and-rules.md) while it streams by, in one
/// pass: the header names every required column once; every row has a GTIN-8/12/13/14 with a valid
/// check digit, ISO dates with <c>valid_from</c> ≤ <c>valid_to</c>, a known status, a certificate
/// number of 1–64 characters and text of at most 200; and no GTIN has overlapping validity windows.
/// One instance checks one file.
/// </summary>
public sealed class ProductListValidator(ListRule rule)
{
    public const int MaxReportedErrors = 100;

    private readonly List<RowError> _errors = [];
    private int _errorCount;
    private bool _badQuoting;
    private bool _used;

    private enum Role : byte
    {
        Text,
        Gtin,
        ValidFrom,
        ValidTo,
        Status,
        CertificateNumber,
    }

    /// <summary>True once a problem is found: what is streamed from then on will not be published.</summary>
    public bool HasErrors => _errorCount > 0;

    public async Task<ProductListValidation> ValidateAsync(Stream csv, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(csv);
        if (_used)
        {
            throw new InvalidOperationException("A validator checks one file.");
        }

        _used = true;
        var row = 0;
        using var parser = ProductListCsv.Open(csv, _ => _badQuoting = true);
        try
        {
            if (!await parser.ReadAsync())
            {
                Add(0, null, "The file is empty: it needs a header row and at least one data row.");
                return Result(row, []);
            }

            var names = parser.Record ?? [];
            var roles = ReadHeader(names);
            if (roles is null)
            {
                return Result(row, []);
            }

            var windows = new List<Window>();
            while (await parser.ReadAsync())
            {
                cancellationToken.ThrowIfCancellationRequested();
                row++;
                ValidateRow(parser, row, names, roles, windows);
            }

            if (row == 0)
            {
                Add(0, null, "The list has no data rows.");
            }

            return Result(row, FindOverlaps(windows));
        }
        catch (DecoderFallbackException)
        {
            Add(0, null, $"The file is not UTF-8 text (found after data row {row}).");
            return Result(row, []);
        }
        catch (MaxFieldSizeException)
        {
            Add(row + 1, null, $"A field is longer than {ProductListCsv.MaxFieldLength} characters: probably a quote that is never closed.");
            return Result(row, []);
        }
    }

    private Role[]? ReadHeader(string[] names)
    {
        var roles = new Role[names.Length];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < names.Length; index++)
        {
            var name = names[index];
            if (name.Length == 0)
            {
                Add(0, null, $"Column {index + 1} of the header has no name.");
            }
            else if (!seen.Add(name))
            {
                Add(0, name, "The column appears more than once in the header.");
            }

            roles[index] = name switch
            {
                ProductListColumns.Gtin => Role.Gtin,
                ProductListColumns.ValidFrom => Role.ValidFrom,
                ProductListColumns.ValidTo => Role.ValidTo,
                ProductListColumns.Status => Role.Status,
                ProductListColumns.CertificateNumber => Role.CertificateNumber,
                _ => Role.Text,
            };
        }

        foreach (var required in rule.RequiredColumns.Where(required => !seen.Contains(required)))
        {
            var near = names.FirstOrDefault(name => name.Trim().Equals(required, StringComparison.OrdinalIgnoreCase));
            Add(0, required, near is null
                ? "The required column is missing from the header."
                : $"The required column is missing from the header (there is '{near}'; column names are exact).");
        }

        return HasErrors ? null : roles;
    }

    private void ValidateRow(CsvParser parser, int row, string[] names, Role[] roles, List<Window> windows)
    {
        if (parser.Count != names.Length)
        {
            Add(row, null, $"The row has {parser.Count} fields; the header has {names.Length}.");
            return;
        }

        long? gtin = null;
        DateOnly? validFrom = null;
        DateOnly? validTo = null;
        var validFromColumn = 0;
        for (var index = 0; index < roles.Length; index++)
        {
            // CsvHelper reads a field when it is asked for, and says then whether its quoting is bad.
            var value = parser[index];
            if (_badQuoting)
            {
                _badQuoting = false;
                Add(row, names[index], "A quote is out of place: quote a whole field that holds a comma, quote or line break, and double each quote inside it (RFC 4180).");
                continue;
            }

            switch (roles[index])
            {
                case Role.Gtin:
                    gtin = ValidateGtin(row, names[index], value);
                    break;
                case Role.ValidFrom:
                    validFrom = ValidateDate(row, names[index], value);
                    validFromColumn = index;
                    break;
                case Role.ValidTo:
                    validTo = ValidateDate(row, names[index], value);
                    break;
                case Role.Status when !ProductListColumns.IsStatus(value):
                    Add(row, names[index], $"'{Shorten(value)}' is not a status: use {ProductListColumns.StatusValid}, {ProductListColumns.StatusSuspended} or {ProductListColumns.StatusRevoked}.");
                    break;
                case Role.CertificateNumber when value.Length == 0 || ProductListCsv.IsLongerThan(value, ProductListColumns.MaxCertificateNumberLength):
                    Add(row, names[index], $"A certificate number has 1–{ProductListColumns.MaxCertificateNumberLength} characters.");
                    break;
                case Role.Text when ProductListCsv.IsLongerThan(value, ProductListColumns.MaxTextLength):
                    Add(row, names[index], $"The text is longer than {ProductListColumns.MaxTextLength} characters.");
                    break;
            }
        }

        if (validFrom is { } from && validTo is { } to)
        {
            if (from > to)
            {
                Add(row, names[validFromColumn], $"valid_from {Format(from)} is after valid_to {Format(to)}.");
            }
            else if (gtin is { } key)
            {
                windows.Add(new Window(key, from.DayNumber, to.DayNumber, row));
            }
        }
    }

    private long? ValidateGtin(int row, string column, string value)
    {
        if (Gtin.TryNormalize(value, out var gtin14))
        {
            return ProductListIndex.GtinKey(gtin14);
        }

        // Only to word the message: the rule itself is Gtin's.
        var wellFormed = value.Length is 8 or 12 or 13 or 14 && value.All(char.IsAsciiDigit);
        Add(row, column, wellFormed
            ? $"'{value}' has a wrong check digit."
            : $"'{Shorten(value)}' is not a GTIN: 8, 12, 13 or 14 digits.");
        return null;
    }

    private DateOnly? ValidateDate(int row, string column, string value)
    {
        if (ProductListCsv.TryParseDate(value, out var date))
        {
            return date;
        }

        Add(row, column, $"'{Shorten(value)}' is not a date as yyyy-MM-dd.");
        return null;
    }

    /// <summary>
    /// Windows of one GTIN overlap when, ordered by start, one starts on or before the latest end so far.
    /// The error goes to the later row of the pair and names the other.
    /// </summary>
    private List<RowError> FindOverlaps(List<Window> windows)
    {
        var sorted = CollectionsMarshal.AsSpan(windows);
        sorted.Sort(static (left, right) =>
            left.Gtin != right.Gtin ? left.Gtin.CompareTo(right.Gtin)
            : left.From != right.From ? left.From.CompareTo(right.From)
            : left.Row.CompareTo(right.Row));

        // Row numbers only: a file that is all overlaps must not become a million error objects.
        var overlaps = new List<(int Row, int Other)>();
        var latest = 0;
        for (var index = 1; index < sorted.Length; index++)
        {
            if (sorted[index].Gtin != sorted[latest].Gtin)
            {
                latest = index;
                continue;
            }

            if (sorted[index].From <= sorted[latest].To)
            {
                var (first, second) = sorted[index].Row < sorted[latest].Row ? (sorted[index].Row, sorted[latest].Row) : (sorted[latest].Row, sorted[index].Row);
                overlaps.Add((second, first));
            }

            // The window of this GTIN that ends last so far is the one a later start can overlap.
            if (sorted[index].To > sorted[latest].To)
            {
                latest = index;
            }
        }

        _errorCount += overlaps.Count;
        return overlaps
            .OrderBy(overlap => overlap.Row)
            .Take(MaxReportedErrors)
            .Select(overlap => new RowError(overlap.Row, ProductListColumns.Gtin, $"The validity window overlaps that of row {overlap.Other} for the same GTIN."))
            .ToList();
    }

    private ProductListValidation Result(int rowCount, List<RowError> overlaps) =>
        new(rowCount, _errors.Concat(overlaps).OrderBy(error => error.Row).Take(MaxReportedErrors).ToList(), _errorCount);

    private void Add(int row, string? column, string reason)
    {
        _errorCount++;
        // Errors arrive in row order, so the first ones kept are the first in the file.
        if (_errors.Count < MaxReportedErrors)
        {
            _errors.Add(new RowError(row, column, reason));
        }
    }

    private static string Format(DateOnly date) => date.ToString(ProductListColumns.DateFormat, CultureInfo.InvariantCulture);

    private static string Shorten(string value) => value.Length <= 32 ? value : string.Concat(value.AsSpan(0, 32), "…");

    private readonly record struct Window(long Gtin, int From, int To, int Row);
}
