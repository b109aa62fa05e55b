using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using PosGreenPoints.Contracts.Health;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.EndToEnd.Health;

[Collection(SharedAzurite.Name)]
public sealed class HealthTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Health_is_200_with_blob_queue_and_table_checks_when_storage_answers()
    {
        await using var runner = await LocalRunnerProcess.StartAsync(RepositoryPaths.FunctionAppDirectory, azurite.ConnectionString, FunctionAppFixture.Settings);
        using var client = runner.CreateClient();

        using var response = await client.GetAsync("api/health");
        var report = await response.Content.ReadFromJsonAsync<HealthReport>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", report!.Status);
        Assert.Equal(["blob", "queue", "table"], report.Checks.Keys.Order());
        Assert.All(report.Checks.Values, check => Assert.Equal("healthy", check.Status));
    }

    [Fact]
    public async Task Health_is_503_naming_the_failed_checks_when_storage_does_not_answer()
    {
        var nothingListens = FreePort();
        var unreachable = azurite.ConnectionString
            .Replace($":{azurite.BlobPort}/", $":{nothingListens}/", StringComparison.Ordinal)
            .Replace($":{azurite.QueuePort}/", $":{nothingListens}/", StringComparison.Ordinal)
            .Replace($":{azurite.TablePort}/", $":{nothingListens}/", StringComparison.Ordinal);
        await using var runner = await LocalRunnerProcess.StartAsync(RepositoryPaths.FunctionAppDirectory, unreachable, FunctionAppFixture.Settings);
        using var client = runner.CreateClient();

        using var response = await client.GetAsync("api/health");
        var report = await response.Content.ReadFromJsonAsync<HealthReport>();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("unhealthy", report!.Status);
        Assert.All(report.Checks.Values, check => Assert.Equal("unhealthy", check.Status));
        Assert.DoesNotContain(AzuriteFixture.DevelopmentAccountKey, await response.Content.ReadAsStringAsync());
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
