using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace PosGreenPoints.LocalRunner;

/// <summary>
/// The singleton lock the Functions host takes before it starts a timer's listener, so that one instance
/// of an app fires each timer: a lease on the blob <c>locks/{hostId}/Host.Functions.{FunctionName}.Listener</c>
/// in <c>azure-webjobs-hosts</c> (an empty blob, created when absent), for host.json's
/// <c>singleton.listenerLockPeriod</c> (60 s), renewed at half of it. Taken the same way, on the same
/// blob, two runners, or a runner and a host, fire a timer once between them.
/// </summary>
public sealed class ListenerLock(BlobClient blob, TimeSpan period)
{
    private BlobLeaseClient? _lease;

    public static string BlobName(string hostId, string functionName) => $"locks/{hostId}/{TimerStatus.TimerName(functionName)}.Listener";

    public string Name => blob.Name;

    public TimeSpan Period => period;

    /// <summary>One attempt, as the host makes at start and then at each recovery poll.</summary>
    /// <returns>Whether this instance holds the lock now.</returns>
    public async Task<bool> TryAcquireAsync(CancellationToken cancellationToken)
    {
        var lease = blob.GetBlobLeaseClient();
        try
        {
            // As the host: look before leasing, so that a held lock costs a read rather than a 409.
            var properties = await blob.GetPropertiesAsync(cancellationToken: cancellationToken);
            if (properties.Value.LeaseState is LeaseState.Leased or LeaseState.Breaking)
            {
                return false;
            }
        }
        catch (RequestFailedException failure) when (failure.Status == 404)
        {
            await CreateAsync(cancellationToken);
        }

        try
        {
            await lease.AcquireAsync(period, cancellationToken: cancellationToken);
            _lease = lease;
            return true;
        }
        catch (RequestFailedException failure) when (failure.Status == 409)
        {
            return false;
        }
    }

    /// <returns>False when the lease is no longer this instance's (another one holds it now).</returns>
    /// <exception cref="RequestFailedException">Storage failed otherwise; the lease may still be held.</exception>
    public async Task<bool> RenewAsync(CancellationToken cancellationToken)
    {
        if (_lease is null)
        {
            return false;
        }

        try
        {
            await _lease.RenewAsync(cancellationToken: cancellationToken);
            return true;
        }
        catch (RequestFailedException failure) when (failure.Status is 409 or 412 or 404)
        {
            _lease = null;
            return false;
        }
    }

    /// <summary>Releases the lease, so that another instance takes the timer at its next poll rather than after the lease expires.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        var lease = Interlocked.Exchange(ref _lease, null);
        if (lease is null)
        {
            return;
        }

        try
        {
            await lease.ReleaseAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException failure) when (failure.Status is 404 or 409)
        {
            // Gone, or someone else's lease now: nothing of ours to release.
        }
    }

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        await blob.GetParentBlobContainerClient().CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        try
        {
            await blob.UploadAsync(BinaryData.Empty, overwrite: false, cancellationToken);
        }
        catch (RequestFailedException failure) when (failure.Status is 409 or 412)
        {
            // Another instance created it first, or leases it already.
        }
    }
}
