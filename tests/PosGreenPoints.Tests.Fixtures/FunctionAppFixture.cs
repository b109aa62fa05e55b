using System.Net.Http.Headers;
using Xunit;

namespace PosGreenPoints.Tests.Fixtures;

/// <summary>
/// The end-to-end fixture: a real Azurite and the PosGreenPoints Function App served by the local
/// runner against it, over real HTTP on a free loopback port. Shared by a test collection, so the
/// app starts once; tests keep apart by using their own chain ids.
/// </summary>
public sealed class FunctionAppFixture : IAsyncLifetime, IAsyncDisposable
{
    public const string OperatorKey = "e2e-bootstrap-operator-key-0123456789abcdef";

    private readonly IReadOnlyDictionary<string, string?> _settings;
    private LocalRunnerProcess? _runner;

    public FunctionAppFixture()
        : this(Settings)
    {
    }

    private FunctionAppFixture(IReadOnlyDictionary<string, string?> settings) => _settings = settings;

    public AzuriteFixture Azurite { get; } = new();

    public LocalRunnerProcess Runner => _runner ?? throw new InvalidOperationException("The fixture has not started.");

    /// <summary>Settings of the app under test, as app settings (environment variables) of the runner process.</summary>
    public static IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
    {
        ["Auth:BootstrapOperatorKey"] = OperatorKey,
        ["Settlement:HmacKey"] = "e2e-settlement-hmac-key-0123456789abcdef",
        ["SettlementSchedule"] = "0 30 18 * * *",
        ["ExpirySchedule"] = "0 30 16 * * *",
        ["HoldsSchedule"] = "0 */5 * * * *",
        ["ClearingSchedule"] = "0 0 19 * * *",
    };

    /// <summary>
    /// An app of its own, with its own Azurite, whose scoring function is disabled: for tests that watch
    /// the scoring queue, which a running scorer would empty.
    /// </summary>
    public static async Task<FunctionAppFixture> StartIntakeOnlyAsync()
    {
        var app = new FunctionAppFixture(new Dictionary<string, string?>(Settings) { ["AzureWebJobs.ScoreReceipts.Disabled"] = "true" });
        await app.InitializeAsync();
        return app;
    }

    public async Task InitializeAsync()
    {
        await Azurite.InitializeAsync();
        _runner = await LocalRunnerProcess.StartAsync(RepositoryPaths.FunctionAppDirectory, Azurite.ConnectionString, _settings);
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    public async Task DisposeAsync()
    {
        if (_runner is not null)
        {
            await _runner.DisposeAsync();
        }

        await Azurite.DisposeAsync();
    }

    /// <summary>An HTTP client for the app that sends <paramref name="apiKey"/> as X-Api-Key (none when null).</summary>
    public HttpClient Client(string? apiKey = OperatorKey)
    {
        var client = Runner.CreateClient();
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }
}
