using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;

namespace PosGreenPoints.Functions.Infrastructure;

/// <summary>
/// Counts the storage operations the app's SDK clients send (one per logical call; retries are not
/// extra operations), in all and per queue, table or container. Registered only by tests and the
/// benchmark, which measure operations per receipt.
/// </summary>
public sealed class StorageOperationCounter : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentDictionary<string, long> _byResource = new(StringComparer.Ordinal);
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    /// <summary>Operations on one queue, table or container (an entity-group transaction counts as <c>$batch</c>).</summary>
    public long CountFor(string resource) => _byResource.GetValueOrDefault(resource);

    public void Reset()
    {
        Interlocked.Exchange(ref _count, 0);
        _byResource.Clear();
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        Interlocked.Increment(ref _count);
        _byResource.AddOrUpdate(ResourceOf(message.Request.Uri.ToUri()), 1, (_, count) => count + 1);
    }

    /// <summary>The first path segment, after the account name where the account is in the path (Azurite, IP-style URLs).</summary>
    private static string ResourceOf(Uri uri)
    {
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var accountInPath = uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 || uri.IsLoopback;
        var resource = segments.Length > (accountInPath ? 1 : 0) ? segments[accountInPath ? 1 : 0] : "";
        var parenthesis = resource.IndexOf('(', StringComparison.Ordinal);
        return parenthesis >= 0 ? resource[..parenthesis] : resource;
    }
}
