using System.Globalization;
using System.Net.Http.Json;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Benchmarks;

/// <summary>
/// The fixtures' Azurite with <c>azurite-request-counter.js</c> loaded, so that the requests it answered
/// (by service and kind) and the processor time it used can be read for any window of the run,
/// whichever process sent them.
/// </summary>
internal sealed class CountedAzurite : IAsyncDisposable
{
    private readonly HttpClient _probe;

    private CountedAzurite(AzuriteFixture fixture)
    {
        Fixture = fixture;
        _probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.TablePort}/"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public AzuriteFixture Fixture { get; }

    public static async Task<CountedAzurite> StartAsync()
    {
        var script = Path.Combine(RepositoryPaths.Root, "benchmarks", "PosGreenPoints.Benchmarks", "azurite-request-counter.js");
        var previous = Environment.GetEnvironmentVariable("NODE_OPTIONS");
        var fixture = new AzuriteFixture();

        // The fixture starts node with arguments of its own; NODE_OPTIONS is how one more --require gets in,
        // and only the node started here inherits it.
        Environment.SetEnvironmentVariable("NODE_OPTIONS", $"{previous} --require \"{script}\"".TrimStart());
        try
        {
            await fixture.StartAsync();
        }
        catch
        {
            await fixture.DisposeAsync();
            throw;
        }
        finally
        {
            Environment.SetEnvironmentVariable("NODE_OPTIONS", previous);
        }

        var azurite = new CountedAzurite(fixture);
        try
        {
            // Fails here rather than after the app has run when the counter did not load.
            await azurite.SnapshotAsync();
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }

        return azurite;
    }

    public async Task<AzuriteSnapshot> SnapshotAsync()
    {
        var answer = await _probe.GetFromJsonAsync<CounterAnswer>("__benchmark/requests")
            ?? throw new InvalidOperationException("Azurite's request counter answered nothing.");
        var counts = new Dictionary<(string Service, string Kind), long>();
        foreach (var (key, count) in answer.Counts)
        {
            var space = key.IndexOf(' ', StringComparison.Ordinal);
            var port = int.Parse(key[..space], CultureInfo.InvariantCulture);
            var service = port == Fixture.QueuePort ? "queue" : port == Fixture.TablePort ? "table" : "blob";
            counts[(service, key[(space + 1)..])] = count;
        }

        return new AzuriteSnapshot(counts, TimeSpan.FromMilliseconds(answer.CpuMs), TimeSpan.FromMilliseconds(answer.ClockMs));
    }

    public async ValueTask DisposeAsync()
    {
        _probe.Dispose();
        await Fixture.DisposeAsync();
    }

    private sealed record CounterAnswer(Dictionary<string, long> Counts, double CpuMs, double ClockMs);
}

/// <summary>Azurite's request counts by (service, kind) and the processor time it used since it started, at a time of its clock.</summary>
internal sealed record AzuriteSnapshot(IReadOnlyDictionary<(string Service, string Kind), long> Counts, TimeSpan Processor, TimeSpan Clock)
{
    /// <summary>The kind under which the counter adds up the body bytes of entity-group transactions.</summary>
    public const string BatchBytes = "$batch bytes";

    public AzuriteUsage Since(AzuriteSnapshot earlier)
    {
        var counts = Counts.ToDictionary(pair => pair.Key, pair => pair.Value - earlier.Counts.GetValueOrDefault(pair.Key));
        return new AzuriteUsage(counts, (Processor - earlier.Processor) / (Clock - earlier.Clock));
    }
}

/// <summary>What Azurite answered in one window: requests by (service, kind), and the processor time it used as a share of the window (1 = one core).</summary>
internal sealed record AzuriteUsage(IReadOnlyDictionary<(string Service, string Kind), long> Counts, double Processor)
{
    public long Requests => Counts.Where(pair => pair.Key.Kind != AzuriteSnapshot.BatchBytes).Sum(pair => pair.Value);

    public long Of(string service) => Counts.Where(pair => pair.Key.Service == service && pair.Key.Kind != AzuriteSnapshot.BatchBytes).Sum(pair => pair.Value);

    public long Of(string service, string kind) => Counts.GetValueOrDefault((service, kind));

    /// <summary>The same usage without <paramref name="requests"/> of one kind, sent by the benchmark itself rather than the app.</summary>
    public AzuriteUsage Without(string service, string kind, long requests)
    {
        var counts = new Dictionary<(string Service, string Kind), long>(Counts);
        counts[(service, kind)] = counts.GetValueOrDefault((service, kind)) - requests;
        return this with { Counts = counts };
    }
}
