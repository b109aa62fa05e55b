namespace PosGreenPoints.Functions.Receipts;

/// <summary>What <see cref="ReceiptValidator.Validate"/> makes of a posted receipt.</summary>
public abstract record ReceiptValidation
{
    private ReceiptValidation()
    {
    }

    /// <summary>Every rule holds and the chain is registered.</summary>
    public sealed record Valid(ValidatedReceipt Receipt) : ReceiptValidation;

    /// <summary>
    /// At least one rule is broken (a 400). <see cref="Errors"/> maps each offending field's JSON path,
    /// relative to the receipt (<c>lines[2].gtin</c>, <c>originalReceipt.issuedAt</c>, <c>$</c> for the
    /// receipt itself), to what is wrong with it.
    /// </summary>
    public sealed record Invalid(IDictionary<string, string[]> Errors) : ReceiptValidation;

    /// <summary>Every field is valid, but the chain is not registered (a 422).</summary>
    public sealed record ChainNotRegistered(string ChainId) : ReceiptValidation;
}

/// <summary>The facts a receipt is validated against besides its own content.</summary>
/// <param name="Now">The current instant: the limits on <c>issuedAt</c> are measured from it.</param>
/// <param name="MaxAgeDays"><c>Receipts:MaxAgeDays</c>: how many business days back a receipt may be dated.</param>
/// <param name="ChainTimeZone">The registered chain's time zone, or null when the chain is not registered.</param>
public sealed record ReceiptValidationContext(DateTimeOffset Now, int MaxAgeDays, Func<string, TimeZoneInfo?> ChainTimeZone)
{
    public const int DefaultMaxAgeDays = 30;
}
