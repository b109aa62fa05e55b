using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using PosGreenPoints.Contracts.Admin;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Points;
using PosGreenPoints.Tests.Fixtures;
using PosGreenPoints.Tests.Integration.Points;

namespace PosGreenPoints.Tests.Integration.Telemetry;

/// <summary>operations.md, Monitoring: logs never carry a member id in clear, never an API key.</summary>
[Collection(SharedAzurite.Name)]
public sealed class LogRedactionTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_run_with_members_keys_bad_keys_conflicts_and_failures_logs_no_member_id_and_no_key()
    {
        var membersDown = new FailMembersTable();
        var chainId = SampleReceipts.NewChainId("logs");
        var harness = await ScoringHarness.StartAsync(azurite, chainId, membersDown);
        var logs = new RecordingLoggerProvider();
        harness.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        var services = harness.Services;
        var gtin = await harness.GreenAndLowVocGtinAsync();
        var created = Assert.IsType<ClientCreation.Created>(await services.GetRequiredService<ClientRegistry>()
            .CreateAsync(new CreateClientRequest("logs-" + Guid.NewGuid().ToString("N")[..12], "pos", [chainId]), CancellationToken.None));
        var posKey = created.ApiKey;
        var members = Enumerable.Range(0, 4).Select(_ => ScoringHarness.NewMemberId()).ToList();

        Assert.Equal(202, await ApiCalls.PostAsync(services, posKey, ScoringHarness.Sale(chainId, "L-1", members[0], 10.00m, gtin)));
        Assert.Equal(409, await ApiCalls.PostAsync(services, posKey, ScoringHarness.Sale(chainId, "L-1", members[1], 20.00m, gtin)));
        Assert.Equal(401, await ApiCalls.PostAsync(services, posKey[..^4] + "AAAA", ScoringHarness.Sale(chainId, "L-2", members[2], 10.00m, gtin)));
        Assert.Equal(401, await ApiCalls.PostAsync(services, ApiCalls.OperatorKey + "x", ScoringHarness.Sale(chainId, "L-2", members[2], 10.00m, gtin)));
        Assert.Equal(200, await ApiCalls.PostAsync(services, ApiCalls.OperatorKey,
            new JsonObject { ["receipts"] = new JsonArray(ScoringHarness.Sale(chainId, "L-3", members[3], 10.00m, gtin)) }, batch: true));
        var scoring = new[]
        {
            await harness.ReceiptAsync($"{chainId}~SH-0001~{BusinessDay()}~POS-01~L-1"),
            await harness.ReceiptAsync($"{chainId}~SH-0001~{BusinessDay()}~POS-01~L-3"),
        };

        // Scoring the second fails on its last delivery while the Members table fails with its URL in the message.
        Assert.Equal(ScoringResult.Scored, await harness.Scorer.ScoreAsync(scoring[0].RowKeyReceiptId(chainId), scoring[0].GetString("ScoringMessageId"), DateTimeOffset.UtcNow, CancellationToken.None));
        membersDown.Failing = true;
        var processor = services.GetRequiredService<ScoringProcessor>();
        var body = BinaryData.FromObjectAsJson(new { receiptIds = new[] { scoring[1].RowKeyReceiptId(chainId) } });
        var thrown = await Assert.ThrowsAnyAsync<Exception>(() => processor.ProcessAsync(
            QueuesModelFactory.QueueMessage(scoring[1].GetString("ScoringMessageId"), "pop", body, 5, insertedOn: DateTimeOffset.UtcNow), CancellationToken.None));
        Assert.Equal(503, await ApiCalls.GetMemberAsync(services, posKey, members[0]));
        membersDown.Failing = false;
        Assert.Equal(200, await ApiCalls.GetMemberAsync(services, posKey, members[0]));

        var text = logs.Text();
        Assert.Contains("Scoring receipt", text);
        Assert.Contains("Storage did not answer", text);
        foreach (var secret in members.Append(posKey).Append(posKey.Split('.')[1]).Append(ApiCalls.OperatorKey))
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }

        // What the function throws, the host logs: it must be as clean.
        Assert.DoesNotContain(members[3], thrown.ToString(), StringComparison.Ordinal);
        var failed = await harness.ReceiptAsync(scoring[1].RowKeyReceiptId(chainId));
        Assert.DoesNotContain(members[3], failed.GetString("LastFailure"), StringComparison.Ordinal);
        Assert.Contains("500", failed.GetString("LastFailure"), StringComparison.Ordinal);
    }

    private static string BusinessDay() =>
        TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow.AddMinutes(-5), TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai")).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>While failing, every Members table request fails as the SDK would, with its URL (which names the member) in the message.</summary>
    private sealed class FailMembersTable : HttpPipelinePolicy
    {
        public volatile bool Failing;

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
            var uri = Uri.UnescapeDataString(message.Request.Uri.ToString());
            if (Failing && uri.Contains("/Members", StringComparison.Ordinal))
            {
                throw new RequestFailedException(500, $"Service request failed: {message.Request.Method} {uri}", "InternalError", null);
            }
        }
    }
}

/// <summary>Every log line, with its exception and scopes, as text.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public string Text() => string.Join('\n', _lines);

    public void Dispose()
    {
    }

    private sealed class Recorder(RecordingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new StringBuilder($"{logLevel} {category}: {formatter(state, exception)} {exception}");
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    line.Append(' ').Append(key).Append('=').Append(value);
                }
            }

            provider._scopes.ForEachScope((scope, builder) => builder.Append(" scope=").Append(ScopeText(scope)), line);
            provider._lines.Enqueue(line.ToString());
        }

        private static string ScopeText(object? scope) => scope is IEnumerable<KeyValuePair<string, object>> pairs
            ? string.Join(',', pairs.Select(pair => $"{pair.Key}={pair.Value}"))
            : scope?.ToString() ?? "";
    }
}

internal static class ReceiptEntityIds
{
    public static string RowKeyReceiptId(this Azure.Data.Tables.TableEntity entity, string chainId) =>
        $"{chainId}~{entity.GetString("StoreId")}~{entity.GetString("BusinessDate")!.Replace("-", "", StringComparison.Ordinal)}~{entity.GetString("TerminalId")}~{entity.GetString("ReceiptNumber")}";
}
