using Azure.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration;

/// <summary>The app's real service registration against the test's Azurite, with a fake clock and extra settings.</summary>
public static class AppServices
{
    public static ServiceProvider Build(AzuriteFixture azurite, FakeTimeProvider? clock = null, IDictionary<string, string?>? settings = null, params HttpPipelinePolicy[] policies)
    {
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Auth:BootstrapOperatorKey"] = "integration-test-operator-key-0123456789abcdef",
            ["Classification:RefreshInterval"] = "00:00:00",
            // Required as in the app: receipt answers and the settlement grace read the settlement options.
            ["Settlement:HmacKey"] = "integration-settlement-key-0123456789abcdef",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        var counter = new StorageOperationCounter();
        services.AddSingleton(counter);
        services.AddSingleton<HttpPipelinePolicy>(counter);
        foreach (var policy in policies)
        {
            services.AddSingleton(policy);
        }

        // Real time unless a test drives the clock: scoring waits on it between retries.
        services.AddSingleton(clock as TimeProvider ?? TimeProvider.System);
        services.AddPosGreenPoints(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
