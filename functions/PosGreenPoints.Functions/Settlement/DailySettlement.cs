using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PosGreenPoints.Functions.Admin;

namespace PosGreenPoints.Functions.Settlement;

/// <summary>
/// The nightly run: for every registered chain, every day from yesterday back to
/// <see cref="SettlementOptions.CatchUpDays"/> days ago (and not before the chain was registered) that
/// can be settled and has no manifest yet. So a missed timer, a failed run or a day the app was down
/// gets its file on the next run, and a past-due run is the same code.
/// </summary>
public sealed class DailySettlement(
    ChainRegistry chains,
    SettlementWriter writer,
    SettlementStore store,
    IOptions<SettlementOptions> options,
    ILogger<DailySettlement> logger)
{
    /// <returns>The days this run published.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var registered = await chains.ListAsync(cancellationToken);
        var published = 0;
        var failures = new List<Exception>();
        foreach (var chain in registered)
        {
            var today = writer.Today(chain);
            var first = chain.RegisteredOn ?? DateOnly.MinValue;
            for (var day = today.AddDays(-options.Value.CatchUpDays); day < today; day = day.AddDays(1))
            {
                if (day < first)
                {
                    continue;
                }

                try
                {
                    if (await store.IsPublishedAsync(chain.ChainId, day, cancellationToken))
                    {
                        continue;
                    }

                    if (await writer.SettleAsync(chain, day, cancellationToken) is SettlementOutcome.Published)
                    {
                        published++;
                    }
                }
                catch (Exception failure) when (failure is not OperationCanceledException)
                {
                    // One chain's failure must not keep the others from their files; the next run retries it.
                    logger.LogError(failure, "Settlement of {ChainId} for {PostingDate} failed", chain.ChainId, day);
                    failures.Add(failure);
                }
            }
        }

        if (failures.Count > 0)
        {
            throw new AggregateException($"{failures.Count} settlement days failed; the next run retries them.", failures);
        }

        return published;
    }
}
