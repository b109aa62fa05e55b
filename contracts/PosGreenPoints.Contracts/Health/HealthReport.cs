namespace PosGreenPoints.Contracts.Health;

/// <summary>The body of <c>GET /api/health</c>.</summary>
/// <param name="Status"><c>healthy</c> when every check passed, else <c>unhealthy</c>.</param>
/// <param name="Checks">One entry per storage service: <c>blob</c>, <c>queue</c>, <c>table</c>.</param>
public sealed record HealthReport(string Status, IReadOnlyDictionary<string, HealthCheckResult> Checks)
{
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
}

/// <param name="Status"><c>healthy</c> or <c>unhealthy</c>.</param>
/// <param name="DurationMs">How long the check took.</param>
/// <param name="Error">Why it failed, without any connection detail; absent when healthy.</param>
public sealed record HealthCheckResult(string Status, long DurationMs, string? Error = null);
