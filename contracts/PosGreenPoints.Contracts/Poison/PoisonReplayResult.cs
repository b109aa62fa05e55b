namespace PosGreenPoints.Contracts.Poison;

/// <summary>The answer to <c>POST /api/v1/admin/poison/replay</c>.</summary>
/// <param name="Queue">The poison queue that was replayed.</param>
/// <param name="Replayed">How many messages went back to the queue they came from.</param>
public sealed record PoisonReplayResult(string Queue, int Replayed);
