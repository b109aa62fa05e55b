using Azure.Core;
using Azure.Core.Pipeline;

namespace PosGreenPoints.Tests.Integration.Points;

/// <summary>
/// Simulates a storage answer lost on the way back: once armed, every entity-group transaction is sent
/// twice and the app sees the second answer, as when the storage client sends a request again after a
/// timeout although the first had been applied (the repeat then fails on what the first one changed).
/// </summary>
public sealed class LostTransactionAnswers : HttpPipelinePolicy
{
    private volatile bool _armed;
    private int _lost;

    /// <summary>Transactions applied whose answer the app never saw.</summary>
    public int Lost => _lost;

    public void Arm() => _armed = true;

    public void Disarm() => _armed = false;

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (IsTransaction(message))
        {
            ProcessNext(message, pipeline);
            Interlocked.Increment(ref _lost);
        }

        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (IsTransaction(message))
        {
            await ProcessNextAsync(message, pipeline);
            Interlocked.Increment(ref _lost);
        }

        await ProcessNextAsync(message, pipeline);
    }

    private bool IsTransaction(HttpMessage message) =>
        _armed && message.Request.Method == RequestMethod.Post && message.Request.Uri.Path.EndsWith("/$batch", StringComparison.Ordinal);
}
