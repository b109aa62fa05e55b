using Azure.Data.Tables;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Runner;

/// <summary>Starts the local runner on the small test Function App and reads what its functions recorded.</summary>
internal static class RunnerTestApp
{
    /// <summary>Rarely enough that a timer does not fire during a test that is not about it.</summary>
    public const string Yearly = "0 0 0 1 1 *";

    public static Task<LocalRunnerProcess> StartAsync(AzuriteFixture azurite, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["TickSchedule"] = Yearly, ["OverrunSchedule"] = Yearly };
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            all[name] = value;
        }

        return LocalRunnerProcess.StartAsync(RepositoryPaths.RunnerTestAppDirectory, azurite.ConnectionString, all);
    }

    public static async Task<List<TableEntity>> ObservationsAsync(AzuriteFixture azurite, string partition)
    {
        var table = azurite.Tables.GetTableClient("RunnerObservations");
        await table.CreateIfNotExistsAsync();
        var entities = new List<TableEntity>();
        await foreach (var entity in table.QueryAsync<TableEntity>(entity => entity.PartitionKey == partition))
        {
            entities.Add(entity);
        }

        return entities;
    }

    /// <summary>Polls until <paramref name="done"/> holds for the observations of <paramref name="partition"/>, or fails after the timeout.</summary>
    public static async Task<List<TableEntity>> WaitForObservationsAsync(
        AzuriteFixture azurite, string partition, Func<List<TableEntity>, bool> done, TimeSpan timeout, LocalRunnerProcess? runner = null)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var observations = await ObservationsAsync(azurite, partition);
            if (done(observations))
            {
                return observations;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"Observations of '{partition}' did not reach the expected state within {timeout}; {observations.Count} seen.{Environment.NewLine}{runner?.Output}");
            }

            await Task.Delay(200);
        }
    }

    public static string Tag() => Guid.NewGuid().ToString("N")[..12];
}
