using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Benchmarks;

/// <summary>
/// A fresh Azurite and the local runner serving the app on it, console telemetry off, as the sections
/// that measure through HTTP use them; the API clients made here, the runner and Azurite go together.
/// </summary>
internal sealed class RunnerOnAzurite : IAsyncDisposable
{
    private readonly List<HttpClient> _clients = [];

    private RunnerOnAzurite(AzuriteFixture azurite, LocalRunnerProcess runner) => (Azurite, Runner) = (azurite, runner);

    public AzuriteFixture Azurite { get; }

    public LocalRunnerProcess Runner { get; }

    public static async Task<RunnerOnAzurite> StartAsync()
    {
        await EndToEndBenchmark.BuildRunnerAsync();
        var azurite = new AzuriteFixture();
        try
        {
            await azurite.StartAsync();
            var settings = new Dictionary<string, string?>(FunctionAppFixture.Settings) { ["Telemetry:Console"] = "false" };
            return new RunnerOnAzurite(azurite, await LocalRunnerProcess.StartAsync(RepositoryPaths.FunctionAppDirectory, azurite.ConnectionString, settings));
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client of the runner sending <paramref name="apiKey"/>, disposed with the rest.</summary>
    public HttpClient Client(string apiKey)
    {
        var client = EndToEndBenchmark.Client(Runner, apiKey);
        _clients.Add(client);
        return client;
    }

    /// <summary><paramref name="count"/> such clients: tills or gates sending at once.</summary>
    public HttpClient[] Clients(string apiKey, int count) => [.. Enumerable.Range(0, count).Select(_ => Client(apiKey))];

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Runner.DisposeAsync();
        await Azurite.DisposeAsync();
    }
}
