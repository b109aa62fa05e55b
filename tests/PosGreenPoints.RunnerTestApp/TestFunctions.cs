using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace PosGreenPoints.RunnerTestApp;

public sealed class HttpFunctions
{
    [Function("Echo")]
    public static async Task<IActionResult> Echo(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "echo/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        return new OkObjectResult(new { id, method = request.Method, body });
    }

    [Function("Numbered")]
    public static IActionResult Numbered(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "numbers/{number:int}")] HttpRequest request,
        int number) => new OkObjectResult(new { number, doubled = number * 2 });

    [Function("NoRoute")]
    public static IActionResult NoRoute([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest request) =>
        new OkObjectResult(new { served = "by name" });

    [Function("Created")]
    public static IResult Created([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "things/{name}")] HttpRequest request, string name) =>
        Results.Created($"/runner/things/{name}", new { name });

    [Function("Throws")]
    public static IActionResult Throws([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "throws")] HttpRequest request) =>
        throw new InvalidOperationException("secret detail that must not reach the caller");
}

/// <summary>
/// Message text "verb:tag" says what to do: ok, fail (always), fail-once (on the first delivery), slow
/// (takes two seconds), slower (six seconds, long enough to look at a running message on a loaded
/// machine). Every delivery is recorded under the tag.
/// </summary>
public sealed class QueueFunctions(Observations observations)
{
    [Function("Work")]
    public async Task Work(
        [QueueTrigger("work-items")] QueueMessage message,
        string id,
        long dequeueCount,
        DateTimeOffset insertionTime,
        CancellationToken cancellationToken)
    {
        var text = message.MessageText;
        var verb = text.Split(':')[0];
        var tag = text[(verb.Length + 1)..];
        var started = DateTimeOffset.UtcNow;
        if (verb is "slow" or "slower")
        {
            await observations.RecordAsync(tag + "-started", new Dictionary<string, object> { ["DequeueCount"] = dequeueCount }, cancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(verb == "slow" ? 2 : 6), cancellationToken);
        }

        var fails = verb == "fail" || (verb == "fail-once" && dequeueCount == 1);
        await observations.RecordAsync(tag, new Dictionary<string, object>
        {
            ["Text"] = text,
            ["MessageId"] = message.MessageId,
            ["BoundId"] = id,
            ["DequeueCount"] = dequeueCount,
            ["MessageDequeueCount"] = message.DequeueCount,
            ["InsertionTime"] = insertionTime,
            ["Started"] = started,
            ["Finished"] = DateTimeOffset.UtcNow,
            ["Outcome"] = fails ? "failed" : "succeeded",
        }, cancellationToken);

        if (fails)
        {
            throw new InvalidOperationException($"Failing '{text}' on purpose (delivery {dequeueCount}).");
        }
    }
}

public sealed class TimerFunctions(Observations observations, TimeProvider clock)
{
    [Function("Tick")]
    public Task Tick([TimerTrigger("%TickSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        observations.RecordAsync("tick", new Dictionary<string, object>
        {
            ["Now"] = clock.GetUtcNow(),
            ["IsPastDue"] = timer.IsPastDue,
            // Which runner fired it: the singleton tests tell two instances apart by it.
            ["Instance"] = Environment.ProcessId,
        }, cancellationToken);

    [Function("Overrun")]
    public async Task Overrun([TimerTrigger("%OverrunSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var started = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromMilliseconds(2500), cancellationToken);
        await observations.RecordAsync("overrun", new Dictionary<string, object>
        {
            ["Started"] = started,
            ["Finished"] = DateTimeOffset.UtcNow,
        }, cancellationToken);
    }

    [Function("Startup")]
    public Task Startup([TimerTrigger("0 0 0 1 1 *", RunOnStartup = true)] TimerInfo timer, CancellationToken cancellationToken) =>
        observations.RecordAsync("startup", new Dictionary<string, object> { ["IsPastDue"] = timer.IsPastDue }, cancellationToken);
}
