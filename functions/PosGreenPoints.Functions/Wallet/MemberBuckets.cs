using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace PosGreenPoints.Functions.Wallet;

/// <summary>
/// Settings of the Members table's layout (section <c>Members</c>). The bucket count is chosen when a
/// deployment is made and fixed after: every member's rows live in the bucket their id hashes to, so
/// another count would look for them in the wrong partition. <see cref="MemberStore"/> records the count
/// on first use and refuses a different one (docs/scale.md, "Changing the bucket count").
/// </summary>
public sealed class MemberBucketOptions : IValidatableObject
{
    public const string SectionName = "Members";

    /// <summary>
    /// Partitions members share: a power of two from 1 to 256. A power of two keeps every bucket the same
    /// size (the hash byte is uniform over 256 values) and lets a later migration split each bucket into
    /// exactly two (a member of bucket b at n buckets is in b or b + n at 2n).
    /// </summary>
    public int BucketCount { get; set; } = MemberBuckets.DefaultCount;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BucketCount is < 1 or > MemberBuckets.MaxCount || !BitOperations.IsPow2(BucketCount))
        {
            yield return new ValidationResult(
                $"Members:BucketCount must be a power of two from 1 to {MemberBuckets.MaxCount}; it is {BucketCount}.",
                [nameof(BucketCount)]);
        }
    }
}

/// <summary>
/// The partitions of the Members table: a member's bucket is the first byte of the SHA-256 of their id,
/// modulo the count. At 16 this is the layout every deployment had before the count was a setting.
/// </summary>
public sealed record MemberBuckets
{
    public const int DefaultCount = 16;

    public const int MaxCount = 256;

    public MemberBuckets(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxCount);
        Count = count;
        All = [.. Enumerable.Range(0, count).Select(Name)];
    }

    /// <summary>The layout of a deployment that did not choose: 16 buckets.</summary>
    public static MemberBuckets Default { get; } = new(DefaultCount);

    public int Count { get; }

    /// <summary>Every bucket's partition key, in order.</summary>
    public IReadOnlyList<string> All { get; }

    public string PartitionKeyOf(string memberId) =>
        Name(SHA256.HashData(Encoding.UTF8.GetBytes(memberId))[0] % Count);

    /// <summary>"m00" to "mff".</summary>
    private static string Name(int index) => "m" + index.ToString("x2", CultureInfo.InvariantCulture);
}
