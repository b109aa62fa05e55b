using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Functions.Infrastructure.Health;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Infrastructure;

[Collection(SharedAzurite.Name)]
public sealed class StorageHealthProbeTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Every_storage_service_is_healthy_when_Azurite_answers()
    {
        await using var services = AppServices.Build(azurite);

        var report = await services.GetRequiredService<StorageHealthProbe>().CheckAsync(CancellationToken.None);

        Assert.Equal("healthy", report.Status);
        Assert.Equal(["blob", "queue", "table"], report.Checks.Keys.Order());
    }
}
