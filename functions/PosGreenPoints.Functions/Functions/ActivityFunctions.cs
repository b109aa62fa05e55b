using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using PosGreenPoints.Contracts;
using PosGreenPoints.Contracts.Activities;
using PosGreenPoints.Contracts.Receipts;
using PosGreenPoints.Functions.Activities;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Http;
using PosGreenPoints.Functions.Infrastructure.Telemetry;
using PosGreenPoints.Functions.Receipts;
using PosGreenPoints.Functions.Wallet;

namespace PosGreenPoints.Functions.Functions;

/// <summary>The activities API of activities.md: post one, post a batch, read one; and operator adjustments.</summary>
public sealed class ActivityFunctions(ApiGate gate, ActivitySubmissions submissions, ActivityQueries queries, Adjustments adjustments)
{
    [Function("PostActivity")]
    public Task<IActionResult> PostActivity(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/activities")] HttpRequest request,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.PostActivity, caller => RequestBody.WithStrictJsonAsync(request, Limits.MaxActivityBodyBytes, async body =>
        {
            if (body.ValueKind != JsonValueKind.Object)
            {
                PosGreenPointsTelemetry.ActivityRejected(PosGreenPointsTelemetry.UnknownChain, PosGreenPointsTelemetry.RejectionReasons.Validation);
                return Problems.Validation(new Dictionary<string, string[]> { ["$"] = ["must be an activity object."] });
            }

            var submitted = await submissions.SubmitAsync(body, caller, cancellationToken);
            SubmissionCounts.Activity(submitted, body, caller);
            return submitted switch
            {
                SubmissionOutcome.Stored { Outcome: IntakeOutcome.Accepted accepted } => Accepted(accepted.ReceiptId),
                SubmissionOutcome.Stored { Outcome: IntakeOutcome.Duplicate duplicate } => new OkObjectResult(
                    new ActivityAccepted(duplicate.ReceiptId, duplicate.Status, StatusUrl(duplicate.ReceiptId), Duplicate: true)),
                SubmissionOutcome.Stored { Outcome: IntakeOutcome.Conflict conflict } => Problems.Conflict(
                    ProblemTypes.ActivityConflict,
                    "A different activity with this key exists.",
                    $"Activity {conflict.ReceiptId} was posted before with different content; an activity is never changed."),
                SubmissionOutcome other => Refusal(other),
            };
        }, cancellationToken), cancellationToken);

    [Function("PostActivityBatch")]
    public Task<IActionResult> PostActivityBatch(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/activities/batch")] HttpRequest request,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.PostActivityBatch, caller => RequestBody.WithStrictJsonAsync(request, Limits.MaxActivityBatchBodyBytes, async body =>
        {
            if (body.ValueKind != JsonValueKind.Object
                || !body.TryGetProperty("activities", out var activities)
                || activities.ValueKind != JsonValueKind.Array)
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["activities"] = [$"is required: an array of 1–{Limits.MaxActivitiesPerBatch} activities."] });
            }

            var count = activities.GetArrayLength();
            if (count is 0 or > Limits.MaxActivitiesPerBatch)
            {
                return Problems.Validation(new Dictionary<string, string[]> { ["activities"] = [$"must hold 1–{Limits.MaxActivitiesPerBatch} activities; it holds {count}."] });
            }

            var items = activities.EnumerateArray().ToList();
            var outcomes = await submissions.SubmitBatchAsync(items, caller, cancellationToken);
            for (var index = 0; index < outcomes.Count; index++)
            {
                SubmissionCounts.Activity(outcomes[index], items[index], caller);
            }

            return new OkObjectResult(new ActivityBatchResult(outcomes.Select((outcome, index) => ToBatchItem(index, outcome)).ToList()));
        }, cancellationToken), cancellationToken);

    [Function("GetActivity")]
    public Task<IActionResult> GetActivity(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/activities/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.GetActivity, async caller =>
            await queries.FindAsync(id, caller, cancellationToken) is { } activity
                ? new OkObjectResult(activity)
                : Problems.NotFound(), cancellationToken);

    /// <summary>Posts an operator adjustment synchronously: 201 when posted, 200 for a repost of the same content.</summary>
    [Function("AdminPostAdjustment")]
    public Task<IActionResult> PostAdjustment(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/admin/members/{memberId}/adjustments")] HttpRequest request,
        string memberId,
        CancellationToken cancellationToken) =>
        gate.RunAsync(request, AccessPolicy.AdminPostAdjustment, _ => RequestBody.WithStrictJsonAsync(request, Limits.MaxAdminBodyBytes, async body =>
            await adjustments.PostAsync(memberId, body, cancellationToken) switch
            {
                AdjustmentRequestOutcome.Invalid invalid => Problems.Validation(invalid.Errors),
                AdjustmentRequestOutcome.ChainNotRegistered unregistered => Problems.ChainNotRegistered(unregistered.ChainId),
                AdjustmentRequestOutcome.Done { Outcome: AdjustmentOutcome.Conflict conflict } => Problems.Conflict(
                    ProblemTypes.AdjustmentConflict,
                    "A different adjustment with this id exists.",
                    $"Adjustment {conflict.AdjustmentId} was posted for this member before with different content; post a new adjustment to correct it."),
                AdjustmentRequestOutcome.Done { Outcome: AdjustmentOutcome.Posted posted } => Answer(request, posted),
                _ => throw new InvalidOperationException("Unknown adjustment outcome."),
            }, cancellationToken), cancellationToken);

    private static ObjectResult Answer(HttpRequest request, AdjustmentOutcome.Posted posted)
    {
        var adjustment = posted.Adjustment;
        var view = new AdjustmentResult(adjustment.AdjustmentId, adjustment.MemberId, adjustment.ChainId, adjustment.Points, adjustment.Reason,
            posted.PostedAt, posted.Balance, posted.Duplicate ? true : null);
        return posted.Duplicate ? new OkObjectResult(view) : new ObjectResult(view) { StatusCode = StatusCodes.Status201Created };
    }

    private static AcceptedResult Accepted(string id)
    {
        var statusUrl = StatusUrl(id);
        return new AcceptedResult(statusUrl, new ActivityAccepted(id, ReceiptStatuses.Accepted, statusUrl));
    }

    private static string StatusUrl(string id) => $"/api/v1/activities/{Uri.EscapeDataString(id)}";

    private static ObjectResult Refusal(SubmissionOutcome outcome) => outcome switch
    {
        SubmissionOutcome.Invalid invalid => Problems.Validation(invalid.Errors),
        SubmissionOutcome.ChainNotRegistered unregistered => Problems.ChainNotRegistered(unregistered.ChainId),
        SubmissionOutcome.OutOfScope => Problems.Forbidden("This API key may not post activities for that chain."),
        _ => throw new InvalidOperationException($"{outcome} is not a refusal."),
    };

    private static ActivityBatchItemResult ToBatchItem(int index, SubmissionOutcome outcome) => outcome switch
    {
        SubmissionOutcome.Stored { Outcome: IntakeOutcome.Accepted accepted } => new(index, accepted.ReceiptId, BatchItemStatuses.Accepted),
        SubmissionOutcome.Stored { Outcome: IntakeOutcome.Duplicate duplicate } => new(index, duplicate.ReceiptId, BatchItemStatuses.Duplicate),
        SubmissionOutcome.Stored { Outcome: IntakeOutcome.Conflict conflict } => Rejected(index, "$", $"activity {conflict.ReceiptId} was posted before with different content (activity-conflict)."),
        SubmissionOutcome.Invalid invalid => new(index, null, BatchItemStatuses.Rejected, invalid.Errors.AsReadOnly()),
        SubmissionOutcome.ChainNotRegistered unregistered => Rejected(index, "chainId", $"chain '{unregistered.ChainId}' is not registered."),
        SubmissionOutcome.OutOfScope => Rejected(index, "chainId", "this API key may not post activities for that chain."),
        _ => throw new InvalidOperationException($"Unknown outcome {outcome}."),
    };

    private static ActivityBatchItemResult Rejected(int index, string path, string message) =>
        new(index, null, BatchItemStatuses.Rejected, new Dictionary<string, string[]> { [path] = [message] });
}
