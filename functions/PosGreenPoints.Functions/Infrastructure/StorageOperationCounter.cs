using Azure.Core;
using Azure.Core.Pipeline;

namespace PosGreenPoints.Functions.Infrastructure;

/// <summary>
/// Counts the storage operations the app's SDK clients send (one per logical call; retries are not
/// extra operations). Registered only by tests and the benchmark, which measure operations per receipt.
/// </summary>
public sealed class StorageOperationCounter : HttpPipelineSynchronousPolicy
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Reset() => Interlocked.Exchange(ref _count, 0);

    public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
}
