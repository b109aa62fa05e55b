using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Functions.Functions;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Points;

namespace PosGreenPoints.Tests.Integration.Telemetry;

/// <summary>Calls the app's HTTP functions in process (no HTTP server) and drains its scoring queue into the scorer.</summary>
internal static class ApiCalls
{
    public const string OperatorKey = "integration-test-operator-key-0123456789abcdef";

    public static async Task<int> PostAsync(IServiceProvider services, string key, JsonNode body, bool batch = false)
    {
        var functions = ActivatorUtilities.CreateInstance<ReceiptFunctions>(services);
        var request = Request(services, "POST", key, body.ToJsonString());
        var result = batch
            ? await functions.PostReceiptBatch(request, CancellationToken.None)
            : await functions.PostReceipt(request, CancellationToken.None);
        return StatusOf(result);
    }

    public static async Task<int> GetMemberAsync(IServiceProvider services, string key, string memberId)
    {
        var functions = ActivatorUtilities.CreateInstance<MemberFunctions>(services);
        var request = Request(services, "GET", key, null);
        request.Path = $"/api/v1/members/{memberId}/points";
        return StatusOf(await functions.GetMemberPoints(request, memberId, CancellationToken.None));
    }

    public static HttpRequest Request(IServiceProvider services, string method, string key, string? body)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = method;
        context.Request.Headers["X-Api-Key"] = key;
        if (body is not null)
        {
            context.Request.ContentType = "application/json";
            context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(body));
        }

        return context.Request;
    }

    public static int StatusOf(IActionResult result) => result switch
    {
        ObjectResult objectResult => objectResult.StatusCode ?? 200,
        StatusCodeResult status => status.StatusCode,
        _ => throw new InvalidOperationException($"Unexpected result {result}."),
    };

    /// <summary>Hands every visible scoring message to the scorer, as the queue trigger would; returns how many.</summary>
    public static async Task<int> ScoreQueuedAsync(IServiceProvider services)
    {
        var queue = services.GetRequiredService<QueueServiceClient>().GetQueueClient(StorageNames.Queues.ReceiptsToScore);
        var processor = services.GetRequiredService<ScoringProcessor>();
        var handled = 0;
        while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } messages)
        {
            foreach (var message in messages)
            {
                await processor.ProcessAsync(message, CancellationToken.None);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                handled++;
            }
        }

        return handled;
    }
}
