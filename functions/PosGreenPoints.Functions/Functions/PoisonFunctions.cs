using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Http;
using PosGreenPoints.Functions.Infrastructure.Poison;

namespace PosGreenPoints.Functions.Functions;

/// <summary>The operator's view of messages that failed processing, and their replay (api.md, Admin).</summary>
public sealed class PoisonFunctions(ApiGate gate, PoisonQueues poison)
{
    [Function("AdminGetPoison")]
    public Task<IActionResult> GetPoison(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/admin/poison")] HttpRequest request,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.AdminGetPoison, async _ => new OkObjectResult(await poison.ReportAsync(cancellationToken)), cancellationToken);

    [Function("AdminReplayPoison")]
    public Task<IActionResult> ReplayPoison(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/admin/poison/replay")] HttpRequest request,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.AdminReplayPoison, async _ =>
        {
            var queue = request.Query["queue"];
            if (queue.Count != 1 || string.IsNullOrWhiteSpace(queue[0]))
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["queue"] = ["is required: a poison queue as GET /api/v1/admin/poison names it."] });
            }

            return await poison.ReplayAsync(queue[0]!, cancellationToken) is { } result
                ? new OkObjectResult(result)
                : Problems.NotFound("There is no such poison queue.");
        }, cancellationToken);
}
