namespace PosGreenPoints.Functions.Classification;

/// <summary>
/// The CSV columns that carry meaning in any product list (lists-and-rules.md). Every other column a
/// list's rules require is text of at most <see cref="MaxTextLength"/> characters, checked and otherwise
/// ignored, so that a new list needs no code.
/// </summary>
public static class ProductListColumns
{
    public const string Gtin = "gtin";
    public const string ValidFrom = "valid_from";
    public const string ValidTo = "valid_to";

    /// <summary>Optional: where a list has it, only rows whose status is <see cref="StatusValid"/> match.</summary>
    public const string Status = "status";

    /// <summary>Optional: recorded with a match.</summary>
    public const string CertificateNumber = "certificate_number";

    /// <summary>Optional: kept with a match.</summary>
    public const string ProductName = "product_name";

    public const string StatusValid = "valid";
    public const string StatusSuspended = "suspended";
    public const string StatusRevoked = "revoked";

    public const string DateFormat = "yyyy-MM-dd";
    public const int MaxTextLength = 200;
    public const int MaxCertificateNumberLength = 64;

    /// <summary>What every list's rules must require: without them a row cannot be matched.</summary>
    public static IReadOnlyList<string> AlwaysRequired { get; } = [Gtin, ValidFrom, ValidTo];

    public static bool IsStatus(string value) => value is StatusValid or StatusSuspended or StatusRevoked;
}
