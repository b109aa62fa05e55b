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
    public const string ChainTimeZoneLocked = Base + "chain-time-zone-locked";
    public const string Conflict = Base + "conflict";
    public const string StorageUnavailable = Base + "storage-unavailable";
}
