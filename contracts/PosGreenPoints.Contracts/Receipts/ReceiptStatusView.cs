namespace PosGreenPoints.Contracts.Receipts;

/// <summary>The body of <c>GET /api/v1/receipts/{receiptId}</c>.</summary>
/// <param name="BusinessDate"><c>issuedAt</c> as a date in the chain's time zone.</param>
/// <param name="Type">One of <see cref="ReceiptTypes"/>.</param>
/// <param name="Status">One of <see cref="ReceiptStatuses"/>.</param>
/// <param name="Points">The receipt's points once scored; negative for a return.</param>
/// <param name="Lines">The scored lines; absent until the receipt is scored.</param>
/// <param name="Notes">Anything unusual about the scoring: a cap applied, the original receipt not found.</param>
/// <param name="MemberId">The member, shown only to operators and to the API client that posted the receipt.</param>
/// <param name="ScoredAt">When the receipt was scored; absent until then.</param>
/// <param name="MemberRef">The member's settlement pseudonym (<c>member_ref</c> of the chain's settlement rows); absent without a member.</param>
public sealed record ReceiptStatusView(
    string ReceiptId,
    string ChainId,
    string StoreId,
    string TerminalId,
    string ReceiptNumber,
    DateOnly BusinessDate,
    string Type,
    string? MemberId,
    string Status,
    long? Points,
    IReadOnlyList<ReceiptLineStatusView>? Lines,
    IReadOnlyList<string> Notes,
    DateTimeOffset? ScoredAt,
    string? MemberRef = null);

/// <summary>One scored line and the list rows that earned its points.</summary>
/// <param name="Gtin">The line's GTIN in its 14-digit form; absent for a line with only a SKU.</param>
/// <param name="QualifyingAmount">The line's net amount that earned points.</param>
/// <param name="Points">Negative for a return.</param>
/// <param name="Matches">Every list the line matched, with the list version used.</param>
public sealed record ReceiptLineStatusView(int LineNumber, string? Gtin, decimal QualifyingAmount, long Points, IReadOnlyList<ListMatchView> Matches);

/// <summary>A product list row a line matched: the trace from points back to a certificate.</summary>
/// <param name="CertificateNumber">The certificate, for lists that carry one.</param>
public sealed record ListMatchView(string ListId, string ListVersion, string? CertificateNumber = null);
