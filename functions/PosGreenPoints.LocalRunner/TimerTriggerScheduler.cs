using System.Diagnostics;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Azure.Functions.Worker;
using NCrontab;

namespace PosGreenPoints.LocalRunner;

/// <summary>
/// Runs one timer-triggered function on its NCrontab schedule, evaluated in UTC as on Flex Consumption,
/// one run at a time, as the host's timer listener does: only while this instance holds the timer's
/// singleton lock (<see cref="ListenerLock"/>), and keeping the host's status blob (<see cref="TimerStatus"/>),
/// so that an occurrence missed while no instance ran runs at start with <see cref="TimerInfo.IsPastDue"/>.
/// </summary>
public sealed class TimerTriggerScheduler(
    FunctionInvoker invoker,
    CrontabSchedule schedule,
    BlobClient statusBlob,
    ListenerLock listenerLock,
    SingletonSettings singleton,
    TimeProvider clock,
    IServiceScopeFactory scopes,
    ILogger<TimerTriggerScheduler> logger) : BackgroundService
{
    /// <summary>How soon a failed renewal or status read is tried again; the host speeds its renewals up to 1 s.</summary>
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private ScheduleStatus _status = new();

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
        var waitingLogged = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (!await TryAcquireAsync(stoppingToken))
                {
                    if (!waitingLogged)
                    {
                        // The host's words, so that a reader of either log finds the same line.
                        logger.LogInformation("Unable to acquire Singleton lock ({Lock}): another instance runs {Function}; trying again every {Interval}",
                            listenerLock.Name, invoker.Function.Name, singleton.ListenerLockRecoveryPollingInterval);
                        waitingLogged = true;
                    }

                    await Task.Delay(singleton.ListenerLockRecoveryPollingInterval, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    continue;
                }

                waitingLogged = false;
                logger.LogInformation("Singleton lock acquired ({Lock})", listenerLock.Name);
                using var listening = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var renewals = KeepLeaseAsync(listening);
                try
                {
                    await ListenAsync(listening.Token);
                }
                finally
                {
                    await listening.CancelAsync();
                    await renewals;
                }
            }
        }
        finally
        {
            // As the host's listener does on stop: the next instance need not wait for the lease to expire.
            using var release = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await listenerLock.ReleaseAsync(release.Token);
            }
            catch (Exception failure) when (failure is OperationCanceledException || StorageFailure.IsUnavailable(failure))
            {
                logger.LogWarning("Releasing the singleton lock {Lock} failed; it expires by itself within {Period}: {Reason}", listenerLock.Name, listenerLock.Period, failure.Message);
            }
        }
    }

    private async Task<bool> TryAcquireAsync(CancellationToken stoppingToken)
    {
        try
        {
            return await listenerLock.TryAcquireAsync(stoppingToken);
        }
        catch (Exception failure) when (!stoppingToken.IsCancellationRequested && StorageFailure.IsUnavailable(failure))
        {
            logger.LogWarning("Acquiring the singleton lock {Lock} failed: {Reason}", listenerLock.Name, failure.Message);
            return false;
        }
    }

    /// <summary>
    /// Renews the lease at half its period while the listener runs. When the lease is lost, or cannot be
    /// renewed before it expires, the listener stops: another instance may hold the timer by then.
    /// </summary>
    private async Task KeepLeaseAsync(CancellationTokenSource listening)
    {
        var token = listening.Token;
        var renewed = clock.GetTimestamp();
        var interval = listenerLock.Period / 2;
        while (!token.IsCancellationRequested)
        {
            await Task.Delay(interval, clock, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (token.IsCancellationRequested)
            {
                return;
            }

            try
            {
                if (!await listenerLock.RenewAsync(token))
                {
                    logger.LogWarning("Singleton lock {Lock} lost: stopping {Function} on this instance", listenerLock.Name, invoker.Function.Name);
                    await listening.CancelAsync();
                    return;
                }

                renewed = clock.GetTimestamp();
                interval = listenerLock.Period / 2;
            }
            catch (Exception failure) when (!token.IsCancellationRequested && StorageFailure.IsUnavailable(failure))
            {
                if (clock.GetElapsedTime(renewed) >= listenerLock.Period - RetryInterval)
                {
                    logger.LogWarning("Singleton lock {Lock} could not be renewed before it expired: stopping {Function} on this instance", listenerLock.Name, invoker.Function.Name);
                    await listening.CancelAsync();
                    return;
                }

                logger.LogWarning("Singleton lock renewal failed for {Lock}: {Reason}", listenerLock.Name, failure.Message);
                interval = RetryInterval;
            }
        }
    }

    /// <summary>The host's timer listener: the past-due check at start, then each occurrence in turn.</summary>
    private async Task ListenAsync(CancellationToken token)
    {
        var stored = await ReadStatusAsync(token);
        if (token.IsCancellationRequested)
        {
            return;
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var pastDue = await CheckPastDueAsync(now, stored, token);
        if (pastDue)
        {
            await InvokeAsync(now, isPastDue: true, runOnStartup: false, token);
        }
        else if (invoker.Function.Trigger.RunOnStartup)
        {
            await InvokeAsync(now, isPastDue: false, runOnStartup: true, token);
        }

        while (!token.IsCancellationRequested)
        {
            // Timers may wake a little early; the function must not run before its occurrence.
            var wait = _status.Next - clock.GetUtcNow().UtcDateTime;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, clock, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            await InvokeAsync(clock.GetUtcNow().UtcDateTime, isPastDue: false, runOnStartup: false, token);
        }
    }

    /// <summary>
    /// As the host's ScheduleMonitor: a first start records the next occurrence; a status whose Next does
    /// not follow from its Last (or LastUpdated) under this schedule means the schedule changed, and is
    /// recomputed; the timer is past due when now is after the recorded Next.
    /// </summary>
    private async Task<bool> CheckPastDueAsync(DateTime now, ScheduleStatus? stored, CancellationToken token)
    {
        if (stored is null)
        {
            _status = new ScheduleStatus { Last = TimerStatus.Never, Next = schedule.GetNextOccurrence(now), LastUpdated = now };
            await WriteStatusAsync(token);
            return false;
        }

        var (expected, basis) = stored.Last != TimerStatus.Never ? (schedule.GetNextOccurrence(stored.Last), stored.Last)
            : stored.LastUpdated != TimerStatus.Never ? (schedule.GetNextOccurrence(stored.LastUpdated), stored.LastUpdated)
            : (schedule.GetNextOccurrence(now), now);
        _status = stored;
        if (stored.Next != expected)
        {
            // A changed schedule whose new occurrence has passed is not a missed one.
            if (now > expected)
            {
                (expected, basis) = (schedule.GetNextOccurrence(now), now);
            }

            _status = new ScheduleStatus { Last = TimerStatus.Never, Next = expected, LastUpdated = basis };
            await WriteStatusAsync(token);
        }

        return now > _status.Next;
    }

    private async Task InvokeAsync(DateTime invocationTime, bool isPastDue, bool runOnStartup, CancellationToken token)
    {
        var scheduled = _status.Next;
        var timer = new TimerInfo
        {
            IsPastDue = isPastDue,
            ScheduleStatus = new ScheduleStatus { Last = _status.Last, Next = _status.Next, LastUpdated = _status.LastUpdated },
        };
        var occurrence = isPastDue || runOnStartup ? invocationTime : scheduled;
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await invoker.InvokeAsync(scope.ServiceProvider, _ => timer, new Dictionary<string, object?>(), token);
            logger.LogInformation("Executed '{Function}' (Succeeded, Occurrence={Occurrence:O}, IsPastDue={IsPastDue}, Duration={Duration}ms)",
                invoker.Function.Name, occurrence, isPastDue, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception failure) when (!token.IsCancellationRequested)
        {
            // The host logs a failed timer run and keeps the schedule; so does the runner.
            logger.LogError(failure, "Executed '{Function}' (Failed, Occurrence={Occurrence:O}, Duration={Duration}ms)",
                invoker.Function.Name, occurrence, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        if (token.IsCancellationRequested)
        {
            // Stopped during the run: the host would not record it either, and the next instance runs it past due.
            return;
        }

        // As the host: a scheduled run that woke before its occurrence counts from the occurrence, or the
        // same Next would be recorded twice and run twice across a restart.
        var basis = !isPastDue && !runOnStartup && scheduled > invocationTime ? scheduled : invocationTime;
        _status = new ScheduleStatus { Last = basis, Next = schedule.GetNextOccurrence(basis), LastUpdated = basis };
        await WriteStatusAsync(token);
    }

    /// <summary>The stored status; while storage does not answer it is asked again, as a host whose listener failed to start would be restarted.</summary>
    private async Task<ScheduleStatus?> ReadStatusAsync(CancellationToken token)
    {
        while (true)
        {
            try
            {
                var content = await statusBlob.DownloadContentAsync(token);
                return TimerStatus.Read(content.Value.Content);
            }
            catch (RequestFailedException failure) when (failure.Status == 404)
            {
                return null;
            }
            catch (JsonException failure)
            {
                logger.LogWarning("The schedule status of {Function} is not readable, and is started anew: {Reason}", invoker.Function.Name, failure.Message);
                return null;
            }
            catch (Exception failure) when (!token.IsCancellationRequested && StorageFailure.IsUnavailable(failure))
            {
                logger.LogWarning("Reading the schedule status of {Function} failed; trying again: {Reason}", invoker.Function.Name, failure.Message);
                await Task.Delay(RetryInterval, clock, token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return null;
            }
        }
    }

    private async Task WriteStatusAsync(CancellationToken token)
    {
        try
        {
            await statusBlob.GetParentBlobContainerClient().CreateIfNotExistsAsync(cancellationToken: token);
            await statusBlob.UploadAsync(new BinaryData(TimerStatus.Write(_status)), overwrite: true, token);
        }
        catch (Exception failure) when (StorageFailure.IsUnavailable(failure) || failure is OperationCanceledException)
        {
            // Best effort, as on the host: without the status a missed occurrence is not caught up at the next start.
            logger.LogWarning("Writing the schedule status of {Function} failed: {Reason}", invoker.Function.Name, failure.Message);
        }
    }
}
