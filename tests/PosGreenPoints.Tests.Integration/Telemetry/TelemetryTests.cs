using System.Diagnostics;
using System.Text.Json.Nodes;
using OpenTelemetry;
using OpenTelemetry.Trace;
using PosGreenPoints.Functions.Infrastructure.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Functions.Functions;
using PosGreenPoints.Tests.Fixtures;
using PosGreenPoints.Tests.Integration.Activities;
using PosGreenPoints.Tests.Integration.Points;

namespace PosGreenPoints.Tests.Integration.Telemetry;

/// <summary>
/// operations.md, Monitoring: one trace per receipt across the queue, and the metrics operators query.
/// An Azurite of its own, so that its scoring queue holds only this class's messages.
/// </summary>
public sealed class TelemetryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task One_trace_follows_a_receipt_from_intake_through_the_queue_to_the_ledger_and_the_event()
    {
        var exported = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(PosGreenPointsTelemetry.Name)
            .AddInMemoryExporter(exported)
            .Build();
        var chainId = SampleReceipts.NewChainId("trace");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await harness.GreenAndLowVocGtinAsync();

        var receipt = (await harness.TakeInAsync(ScoringHarness.Sale(chainId, "TRACE-1", ScoringHarness.NewMemberId(), 20.00m, gtin)))[0];
        Assert.True(await ApiCalls.ScoreQueuedAsync(harness.Services) >= 1);
        tracing.ForceFlush();

        var spans = exported.ToList();
        var scoring = Assert.Single(spans, span => span.OperationName == "score receipts" && (string?)span.GetTagItem("messaging.message.id") == receipt.MessageId);
        var trace = spans.Where(span => span.TraceId == scoring.TraceId).ToList();
        var intake = Assert.Single(trace, span => span.OperationName == "accept receipts");
        Assert.Equal(intake.SpanId, scoring.ParentSpanId);
        foreach (var step in new[] { "post to member", "write ledger", "publish event" })
        {
            Assert.Equal(scoring.SpanId, Assert.Single(trace, span => span.OperationName == step).ParentSpanId);
        }

        Assert.Equal(ActivityKind.Consumer, scoring.Kind);
    }

    [Fact]
    public async Task The_receipt_and_points_metrics_count_a_known_run()
    {
        using var metrics = new MetricCapture();
        var chainId = SampleReceipts.NewChainId("metrics");
        var harness = await ScoringHarness.StartAsync(azurite, chainId);
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var services = harness.Services;
        var saleA = ScoringHarness.Sale(chainId, "M-A", ScoringHarness.NewMemberId(), 100.00m, gtin);
        var saleB = ScoringHarness.Sale(chainId, "M-B", ScoringHarness.NewMemberId(), 10.00m, gtin);
        var conflictingA = ScoringHarness.Sale(chainId, "M-A", null, 50.00m, gtin);
        var invalid = ScoringHarness.Sale(chainId, "M-C", null, 1.00m, gtin);
        invalid["lines"] = new JsonArray();

        Assert.Equal(202, await ApiCalls.PostAsync(services, ApiCalls.OperatorKey, saleA));
        Assert.Equal(200, await ApiCalls.PostAsync(services, ApiCalls.OperatorKey, saleA.DeepClone()));
        Assert.Equal(409, await ApiCalls.PostAsync(services, ApiCalls.OperatorKey, conflictingA));
        Assert.Equal(400, await ApiCalls.PostAsync(services, ApiCalls.OperatorKey, invalid.DeepClone()));
        Assert.Equal(200, await ApiCalls.PostAsync(services, ApiCalls.OperatorKey,
            new JsonObject { ["receipts"] = new JsonArray(saleB, saleB.DeepClone(), invalid.DeepClone()) }, batch: true));
        await ApiCalls.ScoreQueuedAsync(services);
        await ApiCalls.ScoreQueuedAsync(services); // a second delivery finds them scored: no second count

        (string, string) chain = ("chain_id", chainId);
        Assert.Equal(2, metrics.Sum("posgreenpoints.receipts.accepted", chain));
        Assert.Equal(2, metrics.Sum("posgreenpoints.receipts.duplicate", chain));
        Assert.Equal(1, metrics.Sum("posgreenpoints.receipts.rejected", chain, ("reason", "conflict")));
        Assert.Equal(2, metrics.Sum("posgreenpoints.receipts.rejected", chain, ("reason", "validation")));
        Assert.Equal(3, metrics.Sum("posgreenpoints.receipts.rejected", chain));
        Assert.Equal(150 + 15, metrics.Sum("posgreenpoints.points.awarded", chain));
        Assert.Equal(0, metrics.Sum("posgreenpoints.points.reversed", chain));
        Assert.Equal(2, metrics.Count("posgreenpoints.scoring.latency", chain));
        // Lists carry no chain tag, so parallel tests may add to them: at least this run's lines.
        Assert.True(metrics.Sum("posgreenpoints.lines.classified", ("list_id", "low-voc")) >= 2);
        Assert.True(metrics.Sum("posgreenpoints.lines.classified", ("list_id", "none")) >= 2);
    }

    [Fact]
    public async Task The_activity_metrics_count_a_known_run()
    {
        using var metrics = new MetricCapture();
        using var rules = new ActivityRulesFile();
        var chainId = SampleReceipts.NewChainId("actmetrics");
        await using var harness = await ActivityHarness.StartAsync(azurite, rules, chainId);
        var functions = ActivatorUtilities.CreateInstance<ActivityFunctions>(harness.Services);
        async Task<int> PostAsync(JsonNode body, bool batch = false)
        {
            var request = ApiCalls.Request(harness.Services, "POST", ApiCalls.OperatorKey, body.ToJsonString());
            return ApiCalls.StatusOf(batch ? await functions.PostActivityBatch(request, CancellationToken.None) : await functions.PostActivity(request, CancellationToken.None));
        }

        var trip = ActivityHarness.Activity(chainId, "MT-1", ScoringHarness.NewMemberId(), "trip", 1);
        var conflicting = trip.DeepClone();
        conflicting["memberId"] = ScoringHarness.NewMemberId();
        var invalid = ActivityHarness.Activity(chainId, "MT-2", ScoringHarness.NewMemberId(), "no-such-type", 1);
        var recycling = ActivityHarness.Activity(chainId, "MT-3", ScoringHarness.NewMemberId(), "recycle", 2);

        Assert.Equal(202, await PostAsync(trip));
        Assert.Equal(200, await PostAsync(trip.DeepClone()));
        Assert.Equal(409, await PostAsync(conflicting));
        Assert.Equal(400, await PostAsync(invalid));
        Assert.Equal(200, await PostAsync(new JsonObject { ["activities"] = new JsonArray(recycling, recycling.DeepClone(), invalid.DeepClone()) }, batch: true));
        await ApiCalls.ScoreQueuedAsync(harness.Services);

        (string, string) chain = ("chain_id", chainId);
        Assert.Equal(2, metrics.Sum("posgreenpoints.activities.accepted", chain));
        Assert.Equal(2, metrics.Sum("posgreenpoints.activities.duplicate", chain));
        Assert.Equal(1, metrics.Sum("posgreenpoints.activities.rejected", chain, ("reason", "conflict")));
        Assert.Equal(2, metrics.Sum("posgreenpoints.activities.rejected", chain, ("reason", "validation")));
        Assert.Equal(0, metrics.Sum("posgreenpoints.receipts.accepted", chain));
        Assert.Equal(10 + 10, metrics.Sum("posgreenpoints.points.awarded", chain));
    }
}
