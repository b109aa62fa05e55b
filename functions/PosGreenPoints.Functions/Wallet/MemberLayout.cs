using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PosGreenPoints.Functions.Infrastructure;

namespace PosGreenPoints.Functions.Wallet;

/// <summary>
/// The Members table, once its recorded bucket count is known to be this deployment's. The count is a row
/// of the table's own (<see cref="MemberRows.LayoutPartition"/>), written by the first instance that uses
/// the table: the configured count on an empty table, 16 on a table that already holds members (the
/// layout of every deployment before the count was a setting). An instance configured with another count
/// than the recorded one reads and writes no member: each of its calls fails with the reason, and a
/// host start fails (<see cref="MemberLayoutCheck"/>). A check that failed otherwise is forgotten, so
/// storage being down at the first call is tried again at the next.
/// </summary>
internal sealed class MemberLayout(ProvisionedTable table, MemberBuckets buckets, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private Task? _checked;

    public async Task<TableClient> GetAsync(CancellationToken cancellationToken)
    {
        var client = await table.GetAsync(cancellationToken);
        Task check;
        lock (_gate)
        {
            // Not the caller's token: every call meanwhile waits on this one check, as with provisioning.
            // A mismatch stays (the setting does not change under a running instance); any other failure is tried again.
            if (_checked is null || (_checked.IsFaulted && _checked.Exception?.InnerException is not MemberLayoutMismatchException) || _checked.IsCanceled)
            {
                _checked = CheckAsync(client, CancellationToken.None);
            }

            check = _checked;
        }

        await check.WaitAsync(cancellationToken);
        return client;
    }

    private async Task CheckAsync(TableClient client, CancellationToken cancellationToken)
    {
        var recorded = await RecordedAsync(client, cancellationToken);
        if (recorded != buckets.Count)
        {
            throw new MemberLayoutMismatchException(
                $"The Members table is laid out in {recorded} member buckets, and Members:BucketCount is {buckets.Count}. " +
                "Set Members:BucketCount to the recorded count; another count needs the migration in docs/scale.md.");
        }
    }

    private async Task<int> RecordedAsync(TableClient client, CancellationToken cancellationToken)
    {
        while (true)
        {
            var found = await client.GetEntityIfExistsAsync<TableEntity>(MemberRows.LayoutPartition, MemberRows.LayoutRow, cancellationToken: cancellationToken);
            if (found.HasValue)
            {
                return found.Value!.GetInt32(MemberRows.Columns.BucketCount)
                    ?? throw new InvalidOperationException("The Members table's layout row has no BucketCount.");
            }

            var count = await HoldsMembersAsync(client, cancellationToken) ? MemberBuckets.DefaultCount : buckets.Count;
            try
            {
                await client.AddEntityAsync(
                    new TableEntity(MemberRows.LayoutPartition, MemberRows.LayoutRow)
                    {
                        [MemberRows.Columns.BucketCount] = count,
                        [MemberRows.Columns.UpdatedAt] = clock.GetUtcNow(),
                    },
                    cancellationToken);
                return count;
            }
            catch (RequestFailedException failure) when (failure.Status == 409)
            {
                // Another instance recorded it first: read what it wrote.
            }
        }
    }

    /// <summary>Whether any member bucket ("m00" to "mff") has a row: one key-only row is enough to know.</summary>
    private static async Task<bool> HoldsMembersAsync(TableClient client, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {"m"} and PartitionKey lt {"n"}");
        await foreach (var _ in client.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["PartitionKey"], cancellationToken: cancellationToken))
        {
            return true;
        }

        return false;
    }
}

/// <summary>The Members table is laid out in another bucket count than the instance's setting.</summary>
public sealed class MemberLayoutMismatchException(string message) : InvalidOperationException(message);

/// <summary>
/// Checks the Members table's layout when a host starts, so that an instance with another bucket count
/// never starts serving. Storage that does not answer at the start does not stop it: the app starts in an
/// outage (health answers 503, scoring resumes when storage is back), and every member read or write
/// makes the same check first.
/// </summary>
internal sealed class MemberLayoutCheck(MemberStore store, TimeProvider clock, ILogger<MemberLayoutCheck> logger) : IHostedService
{
    /// <summary>How long a start waits for storage to answer the check: it answers in milliseconds, and the SDK's retries against storage that is down would hold the start some 6 s.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.CheckLayoutAsync(cancellationToken).WaitAsync(Patience, clock, cancellationToken);
        }
        // Storage down or slow: a timeout, or the SDK's retries ending in a RequestFailedException or an AggregateException of them.
        catch (Exception failure) when (failure is not MemberLayoutMismatchException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(failure, "The member bucket layout could not be checked at start; member reads and writes check it first");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
