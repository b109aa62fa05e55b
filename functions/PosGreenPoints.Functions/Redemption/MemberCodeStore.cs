using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PosGreenPoints.Contracts;
using PosGreenPoints.Contracts.Redemptions;
using PosGreenPoints.Functions.Infrastructure;

namespace PosGreenPoints.Functions.Redemption;

/// <summary>A member code that exists and has not expired (whether it was used is the member's partition's to say).</summary>
public sealed record FoundCode(string MemberId, string Hash, DateTimeOffset ExpiresAt);

/// <summary>
/// The MemberCodes table (redemption.md, "Member codes"): codes by the SHA-256 of their digits (the
/// digits themselves are never stored or logged), and failed look-ups per client and minute.
/// <list type="table">
/// <item><term>PK <c>c{first two hex digits of the hash}</c>, RK <c>{hash}</c></term><description>a code: member, expiry. Written once, never changed: whether it was used lives in the member's partition, so the use is atomic with the hold.</description></item>
/// <item><term>PK <c>f!{clientId}</c>, RK <c>{yyyyMMddHHmm}</c></term><description>failed look-ups of one client in one UTC minute, counted under ETags</description></item>
/// </list>
/// The limit holds across instances because the count is in storage; each instance also remembers a
/// client it saw over the limit until the minute ends, so a blocked client costs no storage at all, and
/// a look-up that succeeds reads no counter. A client spreading guesses over n instances gets at most
/// n − 1 look-ups beyond the limit per minute (one per instance that has not yet seen the count).
/// </summary>
public sealed class MemberCodeStore(TableServiceClient tables, StorageProvisioner provisioner, IOptions<RedemptionOptions> options, TimeProvider clock)
{
    private readonly ProvisionedTable _table = new(provisioner, tables, StorageNames.Tables.MemberCodes);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _blockedUntil = new(StringComparer.Ordinal);

    private static class Columns
    {
        public const string MemberId = "MemberId";
        public const string ExpiresAt = "ExpiresAt";
        public const string Failures = "Failures";
    }

    public static string Hash(string code) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(code)));

    public static bool IsWellFormed(string? code) => code is { Length: Limits.MemberCodeDigits } && code.All(char.IsAsciiDigit);

    /// <summary>Issues a new code for <paramref name="memberId"/>; older unexpired codes stay valid.</summary>
    public async Task<MemberCodeIssued> IssueAsync(string memberId, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var expiresAt = clock.GetUtcNow() + options.Value.CodeLifetime;
        while (true)
        {
            // 18 digits from the system's cryptographic generator: about 60 bits, as redemption.md asks.
            var code = string.Create(Limits.MemberCodeDigits, 0, (digits, _) =>
            {
                for (var index = 0; index < digits.Length; index++)
                {
                    digits[index] = (char)('0' + RandomNumberGenerator.GetInt32(10));
                }
            });
            var hash = Hash(code);
            try
            {
                await table.AddEntityAsync(new TableEntity(PartitionOf(hash), hash) { [Columns.MemberId] = memberId, [Columns.ExpiresAt] = expiresAt }, cancellationToken);
                return new MemberCodeIssued(code, expiresAt);
            }
            catch (RequestFailedException failure) when (failure.Status == 409)
            {
                // The same 60 bits drawn twice: draw again.
            }
        }
    }

    /// <summary>The code's member, or null for a code that is malformed, unknown or expired.</summary>
    public async Task<FoundCode?> FindAsync(string code, CancellationToken cancellationToken)
    {
        if (!IsWellFormed(code))
        {
            return null;
        }

        var table = await _table.GetAsync(cancellationToken);
        var hash = Hash(code);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(PartitionOf(hash), hash, cancellationToken: cancellationToken);
        return found.HasValue && found.Value!.GetDateTimeOffset(Columns.ExpiresAt) is { } expiresAt && expiresAt > clock.GetUtcNow()
            ? new FoundCode(found.Value.GetString(Columns.MemberId)!, hash, expiresAt)
            : null;
    }

    /// <summary>How long <paramref name="clientId"/> is still known to be over the limit here; null when it is not.</summary>
    public TimeSpan? BlockedFor(string clientId)
    {
        var now = clock.GetUtcNow();
        return _blockedUntil.TryGetValue(clientId, out var until) && until > now ? until - now : null;
    }

    /// <summary>Counts a failed look-up of <paramref name="clientId"/>.</summary>
    /// <returns>How long the client must wait when this failure is over the limit; null when it is within it.</returns>
    public async Task<TimeSpan?> RecordFailureAsync(string clientId, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var minute = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var partitionKey = "f!" + clientId;
        var rowKey = minute.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
        while (true)
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken);
            var failures = (existing.HasValue ? existing.Value!.GetInt32(Columns.Failures) ?? 0 : 0) + 1;
            var row = new TableEntity(partitionKey, rowKey) { [Columns.Failures] = failures };
            try
            {
                if (existing.HasValue)
                {
                    await table.UpdateEntityAsync(row, existing.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                }
                else
                {
                    await table.AddEntityAsync(row, cancellationToken);
                }
            }
            catch (RequestFailedException failure) when (failure.Status is 409 or 412)
            {
                // Another instance counted a failure of this client at the same moment: count again on top.
                continue;
            }

            if (failures <= options.Value.CodeFailuresPerMinute)
            {
                return null;
            }

            var until = minute.AddMinutes(1);
            _blockedUntil[clientId] = until;
            return until - now;
        }
    }

    private static string PartitionOf(string hash) => "c" + hash[..2];
}
