using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using PosGreenPoints.Contracts.Health;

namespace PosGreenPoints.Functions.Infrastructure.Health;

/// <summary>Asks Blob, Queue and Table storage one cheap question each, in parallel and with a deadline.</summary>
public sealed class StorageHealthProbe(
    BlobServiceClient blobs,
    QueueServiceClient queues,
    TableServiceClient tables,
    TimeProvider timeProvider)
{
    private static readonly TimeSpan CheckDeadline = TimeSpan.FromSeconds(5);

    public async Task<HealthReport> CheckAsync(CancellationToken cancellationToken)
    {
        var blob = RunAsync(async token =>
        {
            await foreach (var _ in blobs.GetBlobContainersAsync(cancellationToken: token).AsPages(pageSizeHint: 1).WithCancellation(token))
            {
                break;
            }
        }, cancellationToken);
        var queue = RunAsync(async token =>
        {
            await foreach (var _ in queues.GetQueuesAsync(cancellationToken: token).AsPages(pageSizeHint: 1).WithCancellation(token))
            {
                break;
            }
        }, cancellationToken);
        var table = RunAsync(async token =>
        {
            await foreach (var _ in tables.QueryAsync(maxPerPage: 1, cancellationToken: token).AsPages(pageSizeHint: 1).WithCancellation(token))
            {
                break;
            }
        }, cancellationToken);

        var checks = new Dictionary<string, HealthCheckResult>
        {
            ["blob"] = await blob,
            ["queue"] = await queue,
            ["table"] = await table,
        };
        var healthy = checks.Values.All(check => check.Status == HealthReport.Healthy);
        return new HealthReport(healthy ? HealthReport.Healthy : HealthReport.Unhealthy, checks);
    }

    private async Task<HealthCheckResult> RunAsync(Func<CancellationToken, Task> check, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(CheckDeadline);
        var started = timeProvider.GetTimestamp();
        try
        {
            await check(deadline.Token);
            return new HealthCheckResult(HealthReport.Healthy, Elapsed(started));
        }
        catch (RequestFailedException failure)
        {
            // The status and error code say what is wrong without naming the account or its key.
            return new HealthCheckResult(HealthReport.Unhealthy, Elapsed(started), $"storage answered {failure.Status} {failure.ErrorCode}".TrimEnd());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(HealthReport.Unhealthy, Elapsed(started), $"no answer within {CheckDeadline.TotalSeconds:0} s");
        }
        catch (Exception failure) when (failure is AggregateException or HttpRequestException or IOException)
        {
            return new HealthCheckResult(HealthReport.Unhealthy, Elapsed(started), "storage unreachable");
        }
    }

    private long Elapsed(long started) => (long)timeProvider.GetElapsedTime(started).TotalMilliseconds;
}
