using Azure.Core;
using Azure.Core.Pipeline;

namespace PosGreenPoints.Tests.Integration.Points;

/// <summary>
/// Simulates a process that dies after its k-th storage write: once armed, the request after the
/// allowed number of writes (PUT, POST, MERGE, PATCH, DELETE) and every request after it fail before
/// they are sent, so nothing more reaches storage — as if the instance had vanished there.
/// </summary>
public sealed class CrashAfterWrites : HttpPipelinePolicy
{
    private int _writesLeft = int.MaxValue;
    private int _writes;
    private volatile bool _crashed;

    public int Writes => _writes;

    public void Arm(int writesAllowed)
    {
        _writes = 0;
        _writesLeft = writesAllowed;
        _crashed = false;
    }

    public void Disarm() => Arm(int.MaxValue);

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Check(message);
        ProcessNext(message, pipeline);
    }

    public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Check(message);
        return ProcessNextAsync(message, pipeline);
    }

    private void Check(HttpMessage message)
    {
        if (_crashed)
        {
            throw new SimulatedCrashException();
        }

        if (message.Request.Method == RequestMethod.Get || message.Request.Method == RequestMethod.Head)
        {
            return;
        }

        if (Interlocked.Increment(ref _writes) > _writesLeft)
        {
            _crashed = true;
            throw new SimulatedCrashException();
        }
    }
}

public sealed class SimulatedCrashException() : Exception("The process died here (simulated).");
