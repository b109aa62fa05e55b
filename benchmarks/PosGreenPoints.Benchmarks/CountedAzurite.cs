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

        var resources = new Dictionary<(string Service, string Resource, string Op), long>();
        foreach (var (key, count) in answer.Resources ?? [])
        {
            var parts = key.Split(' ');
            resources[(ServiceOf(parts[0]), string.Join(' ', parts[1..^1]), parts[^1])] = count;
        }

        var entities = new Dictionary<(string Table, string Partition), long>();
        foreach (var (key, count) in answer.Entities ?? [])
        {
            var space = key.IndexOf(' ', StringComparison.Ordinal);
            var bar = key.IndexOf('|', space);
            if (ServiceOf(key[..space]) == "table")
            {
                entities[(key[(space + 1)..bar], key[(bar + 1)..])] = count;
            }
        }

        return new AzuriteSnapshot(counts, TimeSpan.FromMilliseconds(answer.CpuMs), TimeSpan.FromMilliseconds(answer.ClockMs)) { Resources = resources, Entities = entities };
    }

    private string ServiceOf(string port) =>
        int.Parse(port, CultureInfo.InvariantCulture) is var number && number == Fixture.QueuePort ? "queue" : number == Fixture.TablePort ? "table" : "blob";

    public async ValueTask DisposeAsync()
    {
        _probe.Dispose();
        await Fixture.DisposeAsync();
    }

    private sealed record CounterAnswer(Dictionary<string, long> Counts, Dictionary<string, long>? Resources, Dictionary<string, long>? Entities, double CpuMs, double ClockMs);
}

/// <summary>Azurite's request counts by (service, kind) and the processor time it used since it started, at a time of its clock.</summary>
internal sealed record AzuriteSnapshot(IReadOnlyDictionary<(string Service, string Kind), long> Counts, TimeSpan Processor, TimeSpan Clock)
{
    /// <summary>The kind under which the counter adds up the body bytes of entity-group transactions.</summary>
    public const string BatchBytes = "$batch bytes";

    /// <summary>Requests by (service, table/queue/container, read or write); an entity-group transaction is one write.</summary>
    public IReadOnlyDictionary<(string Service, string Resource, string Op), long> Resources { get; init; } = new Dictionary<(string, string, string), long>();

    /// <summary>Table entities written, by (table, partition key).</summary>
    public IReadOnlyDictionary<(string Table, string Partition), long> Entities { get; init; } = new Dictionary<(string, string), long>();

    public AzuriteUsage Since(AzuriteSnapshot earlier)
    {
        var counts = Counts.ToDictionary(pair => pair.Key, pair => pair.Value - earlier.Counts.GetValueOrDefault(pair.Key));
        return new AzuriteUsage(counts, (Processor - earlier.Processor) / (Clock - earlier.Clock))
        {
            Resources = Resources.ToDictionary(pair => pair.Key, pair => pair.Value - earlier.Resources.GetValueOrDefault(pair.Key)),
            // Only the partitions written in the window: one written before and not since is no partition of it.
            Entities = Entities.Select(pair => (pair.Key, Writes: pair.Value - earlier.Entities.GetValueOrDefault(pair.Key)))
                .Where(pair => pair.Writes > 0)
                .ToDictionary(pair => pair.Key, pair => pair.Writes),
        };
    }
}

/// <summary>What Azurite answered in one window: requests by (service, kind), and the processor time it used as a share of the window (1 = one core).</summary>
internal sealed record AzuriteUsage(IReadOnlyDictionary<(string Service, string Kind), long> Counts, double Processor)
{
    public long Requests => Counts.Where(pair => pair.Key.Kind != AzuriteSnapshot.BatchBytes).Sum(pair => pair.Value);

    public long Of(string service) => Counts.Where(pair => pair.Key.Service == service && pair.Key.Kind != AzuriteSnapshot.BatchBytes).Sum(pair => pair.Value);

    public long Of(string service, string kind) => Counts.GetValueOrDefault((service, kind));

    /// <inheritdoc cref="AzuriteSnapshot.Resources"/>
    public IReadOnlyDictionary<(string Service, string Resource, string Op), long> Resources { get; init; } = new Dictionary<(string, string, string), long>();

    /// <inheritdoc cref="AzuriteSnapshot.Entities"/>
    public IReadOnlyDictionary<(string Table, string Partition), long> Entities { get; init; } = new Dictionary<(string, string), long>();

    /// <summary>The same usage without <paramref name="requests"/> of one kind, sent by the benchmark itself rather than the app (reads of <paramref name="resource"/>).</summary>
    public AzuriteUsage Without(string service, string kind, long requests, string resource)
    {
        var counts = new Dictionary<(string Service, string Kind), long>(Counts);
        counts[(service, kind)] = counts.GetValueOrDefault((service, kind)) - requests;
        var resources = new Dictionary<(string Service, string Resource, string Op), long>(Resources);
        resources[(service, resource, "read")] = resources.GetValueOrDefault((service, resource, "read")) - requests;
        return this with { Counts = counts, Resources = resources };
    }

    /// <summary>Every table entity written in the window.</summary>
    public long EntityWrites => Entities.Values.Sum();

    /// <summary>The partition written most: its table, key, and entities written.</summary>
    public (string Table, string Partition, long Writes) BusiestPartition =>
        Entities.Count == 0 ? ("-", "-", 0) : Entities.MaxBy(pair => pair.Value) is var busiest ? (busiest.Key.Table, busiest.Key.Partition, busiest.Value) : default;

    /// <summary>The busiest partition of one table.</summary>
    public (string Partition, long Writes) BusiestOf(string table) =>
        Entities.Where(pair => pair.Key.Table == table).MaxBy(pair => pair.Value) is { Key.Table: not null } busiest ? (busiest.Key.Partition, busiest.Value) : ("-", 0);
}
