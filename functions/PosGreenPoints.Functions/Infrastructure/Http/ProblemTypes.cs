namespace PosGreenPoints.Functions.Infrastructure.Http;

/// <summary>
/// The stable problem <c>type</c> URIs of the API (RFC 9457): clients branch on these, never on titles.
/// </summary>
public static class ProblemTypes
{
    private const string Base = "https://posgreenpoints.cn/problems/";

    public const string Validation = Base + "validation";
    public const string MalformedRequest = Base + "malformed-request";
    public const string PayloadTooLarge = Base + "payload-too-large";
    public const string UnsupportedMediaType = Base + "unsupported-media-type";
    public const string Unauthenticated = Base + "unauthenticated";
    public const string Forbidden = Base + "forbidden";
    public const string NotFound = Base + "not-found";
    public const string ChainNotRegistered = Base + "chain-not-registered";
    public const string ReceiptConflict = Base + "receipt-conflict";
    public const string ActivityConflict = Base + "activity-conflict";
    public const string AdjustmentConflict = Base + "adjustment-conflict";

    /// <summary>A service chain posted a receipt: service chains post activities (docs/decisions.md, "Activities").</summary>
    public const string ChainKindMismatch = Base + "chain-kind-mismatch";
    public const string ChainTimeZoneLocked = Base + "chain-time-zone-locked";
    public const string Conflict = Base + "conflict";
    public const string MemberCodeInvalid = Base + "member-code-invalid";
    public const string TooManyRequests = Base + "too-many-requests";
    public const string InsufficientPoints = Base + "insufficient-points";
    public const string TooManyReservations = Base + "too-many-reservations";
    public const string RedemptionConflict = Base + "redemption-conflict";
    public const string RefundConflict = Base + "refund-conflict";
    public const string RedemptionNotOpen = Base + "redemption-not-open";
    public const string RedemptionCommitted = Base + "redemption-committed";
    public const string RedemptionNotCommitted = Base + "redemption-not-committed";
    public const string StorageUnavailable = Base + "storage-unavailable";
    public const string MethodNotAllowed = Base + "method-not-allowed";
    public const string RequestTimeout = Base + "request-timeout";
    public const string HeaderFieldsTooLarge = Base + "header-fields-too-large";
    public const string InternalError = Base + "internal-error";

    /// <summary>
    /// The type of an error answer by its status alone, for the answers the web server or host gives
    /// before the app has a say (the local runner types its own by this through ProblemDetailsOptions).
    /// </summary>
    public static string? ForStatus(int status) => status switch
    {
        400 => MalformedRequest,
        401 => Unauthenticated,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        408 => RequestTimeout,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        429 => TooManyRequests,
        431 => HeaderFieldsTooLarge,
        500 => InternalError,
        503 => StorageUnavailable,
        _ => null,
    };
}
