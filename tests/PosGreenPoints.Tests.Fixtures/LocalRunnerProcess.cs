using System.Text.RegularExpressions;

namespace PosGreenPoints.Tests.Fixtures;

/// <summary>
/// The local runner as a separate process serving a Function App on a free loopback port, against the
/// storage it is given: what a POS vendor's HTTP client talks to in the end-to-end tests.
/// </summary>
public sealed partial class LocalRunnerProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private LocalRunnerProcess(ChildProcess process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string Output => _process.Output;

    public ChildProcess Process => _process;

    /// <summary>Starts the runner and waits until it serves. <paramref name="settings"/> become environment variables, as app settings are.</summary>
    public static async Task<LocalRunnerProcess> StartAsync(
        string appDirectory,
        string storageConnectionString,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var process = StartProcess(appDirectory, storageConnectionString, settings);
        try
        {
            var match = await process.WaitForOutputAsync(ListeningPattern(), TimeSpan.FromSeconds(60));
            await process.WaitForOutputAsync(ServingPattern(), TimeSpan.FromSeconds(30));
            return new LocalRunnerProcess(process, new Uri(match.Groups["address"].Value + "/"));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the runner without waiting for it, for tests of how it refuses to start.</summary>
    public static ChildProcess StartProcess(
        string appDirectory,
        string storageConnectionString,
        IReadOnlyDictionary<string, string?>? settings = null)
    {
        var environment = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storageConnectionString,
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["Logging__Console__FormatterName"] = "simple",
            ["LocalRunner__ExitWhenStdinCloses"] = "true",
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[name.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return ChildProcess.Start(
            "dotnet",
            [RepositoryPaths.LocalRunnerDll, "--app", appDirectory, "--urls", "http://127.0.0.1:0"],
            environment);
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Kills the runner at once, as a crash would.</summary>
    public Task KillAsync() => _process.KillAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"Now listening on: (?<address>http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningPattern();

    [GeneratedRegex("Serving .+ with \\d+ functions")]
    private static partial Regex ServingPattern();
}
