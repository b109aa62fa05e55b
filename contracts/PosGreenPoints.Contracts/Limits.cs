namespace PosGreenPoints.Contracts;

/// <summary>
/// The API's limits (api.md, "Limits"; docs/decisions.md), in one place: the app enforces these and the
/// OpenAPI document states them, so a vendor's client and the app cannot drift apart. A body over its
/// limit is 413, a count over its limit 400.
/// </summary>
public static class Limits
{
    private const int KiB = 1024;
    private const int MiB = 1024 * KiB;

    /// <summary>The body of <c>POST /api/v1/receipts</c>.</summary>
    public const int MaxReceiptBodyBytes = 256 * KiB;

    /// <summary>The body of <c>POST /api/v1/receipts/batch</c>.</summary>
    public const int MaxBatchBodyBytes = 8 * MiB;

    /// <summary>The JSON body of an admin operation.</summary>
    public const int MaxAdminBodyBytes = 64 * KiB;

    /// <summary>The CSV body of <c>PUT /api/v1/admin/product-lists/{listId}</c>, below the ~30 MB the Functions front door lets through.</summary>
    public const int MaxProductListBodyBytes = 25 * MiB;

    /// <summary>The body of <c>POST /api/v1/admin/product-lists/{listId}/publish</c>: it only names an upload.</summary>
    public const int MaxProductListPublishBodyBytes = 4 * KiB;

    public const int MaxReceiptsPerBatch = 500;

    /// <summary>The body of <c>POST /api/v1/activities</c>: an activity is a few hundred bytes.</summary>
    public const int MaxActivityBodyBytes = 16 * KiB;

    /// <summary>The body of <c>POST /api/v1/activities/batch</c>: 500 activities with room to spare.</summary>
    public const int MaxActivityBatchBodyBytes = 1 * MiB;

    public const int MaxActivitiesPerBatch = 500;

    /// <summary>The reason of an operator adjustment, kept on the statement; counted in Unicode characters.</summary>
    public const int MaxAdjustmentReasonLength = 200;
    public const int MaxLinesPerReceipt = 500;

    /// <summary>Counted in Unicode characters, not UTF-16 units.</summary>
    public const int MaxSkuLength = 64;

    /// <summary>Counted in Unicode characters, not UTF-16 units.</summary>
    public const int MaxDescriptionLength = 200;

    public const int QuantityDecimals = 3;
    public const int MoneyDecimals = 2;

    /// <summary>Far beyond any till, and low enough that quantity × unit price is exact in <see cref="decimal"/>.</summary>
    public const decimal MaxQuantity = 1_000_000_000m;

    /// <summary>Far beyond any till, and low enough that quantity × unit price is exact in <see cref="decimal"/>.</summary>
    public const decimal MaxMoney = 1_000_000_000_000m;

    public const int MaxChainNameLength = 200;

    /// <summary>Keeps a client's stored entity far below the 64 KiB property limit, with room to spare for any chain id.</summary>
    public const int MaxChainsPerClient = 256;

    /// <summary>The longest range of <c>GET /api/v1/settlements/{chainId}</c>, both ends included.</summary>
    public const int MaxSettlementListDays = 92;

    /// <summary>Redemption bodies (reserve, commit, refund).</summary>
    public const int MaxRedemptionBodyBytes = 16 * KiB;

    /// <summary>An operator's audit note, and an adjustment's reason.</summary>
    public const int MaxReasonLength = 200;

    /// <summary>Member codes: 18 digits (about 60 bits), redemption.md.</summary>
    public const int MemberCodeDigits = 18;

    /// <summary>Open reservations one member may have at once: each holds its points until committed, cancelled or lapsed.</summary>
    public const int MaxOpenReservationsPerMember = 20;
    /// <summary>The days one <c>GET /api/v1/clearing/{chainId}</c> may span, both ends included (clearing.md).</summary>
    public const int MaxClearingListDays = 92;

    /// <summary>A size as the documents write it: <c>256 KiB</c>, <c>8 MiB</c>.</summary>
    public static string Describe(int bytes) =>
        bytes % MiB == 0 ? $"{bytes / MiB} MiB" : bytes % KiB == 0 ? $"{bytes / KiB} KiB" : $"{bytes} bytes";
}
