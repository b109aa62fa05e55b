using System.Text.Json;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Functions.Infrastructure.Telemetry;

/// <summary>
/// Counts each posted receipt or activity once, by what became of it (the dashboard's accepted / rejected per
/// hour and chain). Only chains the caller may name become tag values, so a client cannot make up new series.
/// </summary>
internal static class SubmissionCounts
{
    public static void Receipt(SubmissionOutcome outcome, JsonElement receipt, Caller caller) =>
        Count(outcome, receipt, caller, PosGreenPointsTelemetry.ReceiptAccepted, PosGreenPointsTelemetry.ReceiptDuplicate, PosGreenPointsTelemetry.ReceiptRejected);

    public static void Activity(SubmissionOutcome outcome, JsonElement activity, Caller caller) =>
        Count(outcome, activity, caller, PosGreenPointsTelemetry.ActivityAccepted, PosGreenPointsTelemetry.ActivityDuplicate, PosGreenPointsTelemetry.ActivityRejected);

    private static void Count(SubmissionOutcome outcome, JsonElement item, Caller caller, Action<string> accepted, Action<string> duplicate, Action<string, string> rejected)
    {
        var chainId = item.ValueKind == JsonValueKind.Object
            && item.TryGetProperty("chainId", out var property)
            && property.ValueKind == JsonValueKind.String
            && property.GetString() is { } named
            && ChainRegistry.IsValidChainId(named)
            && caller.CanAccessChain(named)
                ? named
                : PosGreenPointsTelemetry.UnknownChain;
        switch (outcome)
        {
            case SubmissionOutcome.Stored { Outcome: IntakeOutcome.Accepted }:
                accepted(chainId);
                break;
            case SubmissionOutcome.Stored { Outcome: IntakeOutcome.Duplicate }:
                duplicate(chainId);
                break;
            case SubmissionOutcome.Stored { Outcome: IntakeOutcome.Conflict }:
                rejected(chainId, PosGreenPointsTelemetry.RejectionReasons.Conflict);
                break;
            case SubmissionOutcome.Invalid:
                rejected(chainId, PosGreenPointsTelemetry.RejectionReasons.Validation);
                break;
            case SubmissionOutcome.ChainNotRegistered:
                rejected(chainId, PosGreenPointsTelemetry.RejectionReasons.ChainNotRegistered);
                break;
            case SubmissionOutcome.OutOfScope:
                rejected(chainId, PosGreenPointsTelemetry.RejectionReasons.OutOfScope);
                break;
            case SubmissionOutcome.ServiceChainReceipt:
                rejected(chainId, PosGreenPointsTelemetry.RejectionReasons.ChainKind);
                break;
        }
    }
}
