using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Functions.Points;

namespace PosGreenPoints.Functions.Functions;

public sealed class ScoringFunction(ScoringProcessor processor)
{
    [Function("ScoreReceipts")]
    public Task Run([QueueTrigger(StorageNames.Queues.ReceiptsToScore)] QueueMessage message, CancellationToken cancellationToken) =>
        processor.ProcessAsync(message, cancellationToken);
}
