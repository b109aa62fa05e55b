using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PosGreenPoints.Contracts.Health;
using PosGreenPoints.Functions.Infrastructure.Health;
using PosGreenPoints.Functions.Infrastructure.Http;

namespace PosGreenPoints.Functions.Functions;

public sealed class HealthFunction(StorageHealthProbe probe)
{
    [Function("Health")]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        TransportHeaders.Apply(request.HttpContext.Response, authenticated: false);
        var report = await probe.CheckAsync(cancellationToken);
        return new ObjectResult(report)
        {
            StatusCode = report.Status == HealthReport.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
        };
    }
}
