using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PosGreenPoints.Functions.Admin;

namespace PosGreenPoints.Functions.Clearing;

/// <summary>
/// The nightly run: every day from yesterday back to <see cref="ClearingOptions.CatchUpDays"/> days ago,
/// oldest first (each day's liability starts from the day before's manifest), that can be cleared and
/// has no report yet, and on which some chain existed. A missed timer, a failed run or days of downtime
/// are caught up by the next run, and firing twice or on two instances gives one set of files.
/// </summary>
public sealed class DailyClearing(ChainRegistry chains, ClearingWriter writer, ClearingStore store, IOptions<ClearingOptions> options, ILogger<DailyClearing> logger)
{
    /// <returns>The days this run cleared.</returns>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var registered = await chains.ListAsync(cancellationToken);
        var today = writer.Today();
        var cleared = 0;
        for (var day = today.AddDays(-options.Value.CatchUpDays); day < today; day = day.AddDays(1))
        {
            if (!registered.Any(chain => writer.Existed(chain, day)) || await store.IsClearedAsync(day, cancellationToken))
            {
                continue;
            }

            var outcome = await writer.ClearAsync(day, cancellationToken);
            switch (outcome)
            {
                case ClearingOutcome.Published:
                    cleared++;
                    break;
                case ClearingOutcome.Diverged diverged:
                    // Logged by the writer; a later day's liability starts from the whole log instead.
                    logger.LogError("Clearing of {ClearingDate} is not complete: {Count} chains' files differ from the posting log", day, diverged.ChainIds.Count);
                    break;
            }
        }

        return cleared;
    }
}
