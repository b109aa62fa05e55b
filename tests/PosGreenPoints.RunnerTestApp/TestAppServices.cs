using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace PosGreenPoints.RunnerTestApp;

public static class TestAppServices
{
    public static IServiceCollection Add(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(_ => new Observations(new TableClient(configuration["AzureWebJobsStorage"], Observations.TableName)));
        return services;
    }
}

/// <summary>What the functions saw, written to Azurite so that a test in another process can read it.</summary>
public sealed class Observations(TableClient table)
{
    public const string TableName = "RunnerObservations";

    public async Task RecordAsync(string partition, IDictionary<string, object> values, CancellationToken cancellationToken)
    {
        await table.CreateIfNotExistsAsync(cancellationToken);
        var entity = new TableEntity(partition, $"{DateTimeOffset.UtcNow.Ticks:D20}-{Guid.NewGuid():N}");
        foreach (var (key, value) in values)
        {
            entity[key] = value;
        }

        await table.AddEntityAsync(entity, cancellationToken);
    }
}
