using System.Diagnostics;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace PosGreenPoints.LocalRunner;

/// <summary>
/// Runs one timer-triggered function on its NCrontab schedule, evaluated in UTC as on Flex
/// Consumption, one run at a time. Like the host's schedule monitor it keeps the last and next
/// occurrence in a status blob (<c>azure-webjobs-hosts/timers/…/status</c>), so that an occurrence
/// missed while the app was down runs at start with <see cref="TimerInfo.IsPastDue"/> set.
/// </summary>
public sealed class TimerTriggerScheduler(
    FunctionInvoker invoker,
    CrontabSchedule schedule,
    BlobClient statusBlob,
    TimeProvider clock,
    IServiceScopeFactory scopes,
    ILogger<TimerTriggerScheduler> logger) : BackgroundService
{
    public static CrontabSchedule ParseSchedule(string functionName, string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (fields is not (5 or 6))
        {
            throw new RunnerStartupException($"Function {functionName}: '{expression}' is not an NCrontab expression (6 fields with seconds, as the host expects).");
        }

        return CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields == 6 })
            ?? throw new RunnerStartupException($"Function {functionName}: '{expression}' is not a valid NCrontab schedule.");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var status = await ReadStatusAsync(stoppingToken);
        var now = clock.GetUtcNow().UtcDateTime;
        if (status is not null && status.Next < now)
        {
            await InvokeAsync(status.Next, isPastDue: true, status, stoppingToken);
        }
        else if (invoker.Function.Trigger.RunOnStartup)
        {
            await InvokeAsync(now, isPastDue: false, status, stoppingToken);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            now = clock.GetUtcNow().UtcDateTime;
            var next = schedule.GetNextOccurrence(now);
            status = new ScheduleStatus { Last = status?.Last ?? default, Next = next, LastUpdated = now };
            await WriteStatusAsync(status, stoppingToken);

            var wait = next - clock.GetUtcNow().UtcDateTime;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (!stoppingToken.IsCancellationRequested)
            {
                await InvokeAsync(next, isPastDue: false, status, stoppingToken);
                status = new ScheduleStatus { Last = next, Next = next, LastUpdated = clock.GetUtcNow().UtcDateTime };
            }
        }
    }

    private async Task InvokeAsync(DateTime occurrence, bool isPastDue, ScheduleStatus? status, CancellationToken stoppingToken)
    {
        var timer = new TimerInfo
        {
            IsPastDue = isPastDue,
            ScheduleStatus = new ScheduleStatus
            {
                Last = status?.Last ?? default,
                Next = schedule.GetNextOccurrence(occurrence),
                LastUpdated = clock.GetUtcNow().UtcDateTime,
            },
        };
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await invoker.InvokeAsync(scope.ServiceProvider, _ => timer, new Dictionary<string, object?>(), stoppingToken);
            logger.LogInformation("Executed '{Function}' (Succeeded, Occurrence={Occurrence:O}, IsPastDue={IsPastDue}, Duration={Duration}ms)",
                invoker.Function.Name, occurrence, isPastDue, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception failure) when (!stoppingToken.IsCancellationRequested)
        {
            // The host logs a failed timer run and keeps the schedule; so does the runner.
            logger.LogError(failure, "Executed '{Function}' (Failed, Occurrence={Occurrence:O}, Duration={Duration}ms)",
                invoker.Function.Name, occurrence, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private async Task<ScheduleStatus?> ReadStatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            var content = await statusBlob.DownloadContentAsync(cancellationToken);
            return content.Value.Content.ToObjectFromJson<ScheduleStatus>();
        }
        catch (RequestFailedException failure) when (failure.Status == 404)
        {
            return null;
        }
        catch (Exception failure) when (failure is JsonException || StorageFailure.IsUnavailable(failure))
        {
            logger.LogWarning("Reading the schedule status of {Function} failed: {Reason}", invoker.Function.Name, failure.Message);
            return null;
        }
    }

    private async Task WriteStatusAsync(ScheduleStatus status, CancellationToken cancellationToken)
    {
        try
        {
            await statusBlob.GetParentBlobContainerClient().CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await statusBlob.UploadAsync(BinaryData.FromObjectAsJson(status), overwrite: true, cancellationToken);
        }
        catch (Exception failure) when (StorageFailure.IsUnavailable(failure))
        {
            // Without the status a missed occurrence is not caught up at the next start; the schedule itself goes on.
            logger.LogWarning("Writing the schedule status of {Function} failed: {Reason}", invoker.Function.Name, failure.Message);
        }
    }
}
