using System.Security.Cryptography;
using System.Text;

namespace PosGreenPoints.Functions.Settlement;

/// <summary>
/// The <c>member_ref</c> of a settlement row: HMAC-SHA256 with the <c>Settlement:HmacKey</c> over
/// <c>{chainId}:{memberId}</c> (UTF-8), lowercase hex, first 32 characters (128 bits). Keyed, so a chain
/// cannot recompute member ids from a list of candidates; per chain, so two chains cannot join their
/// files on it; stable, so a chain can follow one member across days.
/// </summary>
public sealed class MemberPseudonyms(string hmacKey)
{
    public const int Length = 32;

    private readonly byte[] _key = Encoding.UTF8.GetBytes(hmacKey);

    public string Of(string chainId, string memberId)
    {
        var data = Encoding.UTF8.GetBytes($"{chainId}:{memberId}");
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, data, mac);
        return Convert.ToHexStringLower(mac)[..Length];
    }
}
