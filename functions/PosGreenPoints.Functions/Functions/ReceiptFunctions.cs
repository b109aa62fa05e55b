using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PosGreenPoints.Contracts;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Http;
using PosGreenPoints.Functions.Infrastructure.Telemetry;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Functions;

/// <summary>The receipts API of api.md: post one, post a batch, read one.</summary>
public sealed class ReceiptFunctions(ApiGate gate, ReceiptSubmissions submissions, ReceiptQueries queries)
{
    [Function("PostReceipt")]
    public Task<IActionResult> PostReceipt(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/receipts")] HttpRequest request,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.PostReceipt, caller => RequestBody.WithStrictJsonAsync(request, Limits.MaxReceiptBodyBytes, async body =>
        {
            if (body.ValueKind != JsonValueKind.Object)
            {
                PosGreenPointsTelemetry.ReceiptRejected(PosGreenPointsTelemetry.UnknownChain, PosGreenPointsTelemetry.RejectionReasons.Validation);
                return Problems.Validation(new Dictionary<string, string[]> { ["$"] = ["must be a receipt object."] });
            }

            var submitted = await submissions.SubmitAsync(body, caller, cancellationToken);
            SubmissionCounts.Receipt(submitted, body, caller);
            return submitted switch
            {
                SubmissionOutcome.Stored { Outcome: IntakeOutcome.Accepted accepted } => Accepted(accepted.ReceiptId),
                SubmissionOutcome.Stored { Outcome: IntakeOutcome.Duplicate duplicate } => new OkObjectResult(
                    new ReceiptAccepted(duplicate.ReceiptId, duplicate.Status, StatusUrl(duplicate.ReceiptId), Duplicate: true)),
                SubmissionOutcome.Stored { Outcome: IntakeOutcome.Conflict conflict } => Problems.Conflict(
                    ProblemTypes.ReceiptConflict,
                    "A different receipt with this key exists.",
                    $"Receipt {conflict.ReceiptId} was posted before with different content; a receipt is never changed. Post a return to correct a sale."),
                SubmissionOutcome other => Refusal(other),
            };
        }, cancellationToken), cancellationToken);

    [Function("PostReceiptBatch")]
    public Task<IActionResult> PostReceiptBatch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/receipts/batch")] HttpRequest request,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.PostReceiptBatch, caller => RequestBody.WithStrictJsonAsync(request, Limits.MaxBatchBodyBytes, async body =>
        {
            if (body.ValueKind != JsonValueKind.Object
                || !body.TryGetProperty("receipts", out var receipts)
                || receipts.ValueKind != JsonValueKind.Array)
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["receipts"] = [$"is required: an array of 1–{Limits.MaxReceiptsPerBatch} receipts."] });
            }

            var count = receipts.GetArrayLength();
            if (count is 0 or > Limits.MaxReceiptsPerBatch)
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["receipts"] = [$"must hold 1–{Limits.MaxReceiptsPerBatch} receipts; it holds {count}."] });
            }

            var items = receipts.EnumerateArray().ToList();
            var outcomes = await submissions.SubmitBatchAsync(items, caller, cancellationToken);
            for (var index = 0; index < outcomes.Count; index++)
            {
                SubmissionCounts.Receipt(outcomes[index], items[index], caller);
            }

            return new OkObjectResult(new BatchResult(outcomes.Select((outcome, index) => ToBatchItem(index, outcome)).ToList()));
        }, cancellationToken), cancellationToken);

    [Function("GetReceipt")]
    public Task<IActionResult> GetReceipt(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/receipts/{receiptId}")] HttpRequest request,
        string receiptId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.GetReceipt, async caller =>
            await queries.FindAsync(receiptId, caller, cancellationToken) is { } receipt
                ? new OkObjectResult(receipt)
                : Problems.NotFound(), cancellationToken);

    private static AcceptedResult Accepted(string receiptId)
    {
        var statusUrl = StatusUrl(receiptId);
        return new AcceptedResult(statusUrl, new ReceiptAccepted(receiptId, ReceiptStatuses.Accepted, statusUrl));
    }

    private static string StatusUrl(string receiptId) => $"/api/v1/receipts/{Uri.EscapeDataString(receiptId)}";

    private static ObjectResult Refusal(SubmissionOutcome outcome) => outcome switch
    {
        SubmissionOutcome.Invalid invalid => Problems.Validation(invalid.Errors),
        SubmissionOutcome.ChainNotRegistered unregistered => Problems.ChainNotRegistered(unregistered.ChainId),
        SubmissionOutcome.OutOfScope => Problems.Forbidden("This API key may not post receipts for that chain."),
        SubmissionOutcome.ServiceChainReceipt service => Problems.Create(
            StatusCodes.Status422UnprocessableEntity, ProblemTypes.ChainKindMismatch, "A service chain posts activities, not receipts.",
            $"Chain '{service.ChainId}' is registered as a service chain; post its members' activities to POST /api/v1/activities, or have an operator register it as retail."),
        _ => throw new InvalidOperationException($"{outcome} is not a refusal."),
    };

    private static BatchItemResult ToBatchItem(int index, SubmissionOutcome outcome) => outcome switch
    {
        SubmissionOutcome.Stored { Outcome: IntakeOutcome.Accepted accepted } => new(index, accepted.ReceiptId, BatchItemStatuses.Accepted),
        SubmissionOutcome.Stored { Outcome: IntakeOutcome.Duplicate duplicate } => new(index, duplicate.ReceiptId, BatchItemStatuses.Duplicate),
        SubmissionOutcome.Stored { Outcome: IntakeOutcome.Conflict conflict } => Rejected(index, "$", $"receipt {conflict.ReceiptId} was posted before with different content (receipt-conflict)."),
        SubmissionOutcome.Invalid invalid => new(index, null, BatchItemStatuses.Rejected, invalid.Errors.AsReadOnly()),
        SubmissionOutcome.ChainNotRegistered unregistered => Rejected(index, "chainId", $"chain '{unregistered.ChainId}' is not registered."),
        SubmissionOutcome.OutOfScope => Rejected(index, "chainId", "this API key may not post receipts for that chain."),
        SubmissionOutcome.ServiceChainReceipt service => Rejected(index, "chainId", $"chain '{service.ChainId}' is a service chain, which posts activities (chain-kind-mismatch)."),
        _ => throw new InvalidOperationException($"Unknown outcome {outcome}."),
    };

    private static BatchItemResult Rejected(int index, string path, string message) =>
        new(index, null, BatchItemStatuses.Rejected, new Dictionary<string, string[]> { [path] = [message] });
}
