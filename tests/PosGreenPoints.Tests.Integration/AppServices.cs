using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Functions.Infrastructure;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration;

/// <summary>The app's real service registration against the test's Azurite, with a fake clock and extra settings.</summary>
public static class AppServices
{
    public static ServiceProvider Build(AzuriteFixture azurite, FakeTimeProvider? clock = null, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Auth:BootstrapOperatorKey"] = "integration-test-operator-key-0123456789abcdef",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<StorageOperationCounter>();
        services.AddSingleton<TimeProvider>(clock ?? new FakeTimeProvider(DateTimeOffset.UtcNow));
        services.AddPosGreenPoints(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }
}
