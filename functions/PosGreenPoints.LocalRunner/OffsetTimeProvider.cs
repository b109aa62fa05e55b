namespace PosGreenPoints.LocalRunner;

/// <summary>
/// The system clock moved by a fixed offset (<c>Clock:Offset</c>), so that an end-to-end run can
/// "restart tomorrow". Timers and delays still run at real speed.
/// </summary>
public sealed class OffsetTimeProvider(TimeSpan offset) : TimeProvider
{
    public TimeSpan Offset { get; } = offset;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
