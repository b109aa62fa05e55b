using System.Text.Json;

namespace PosGreenPoints.LocalRunner;

/// <summary>The parts of <c>host.json</c> the runner honours, with the host's defaults where a value is absent.</summary>
public sealed record HostSettings(string RoutePrefix, QueueSettings Queues)
{
    public static HostSettings Load(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(path))
        {
            return new HostSettings("api", new QueueSettings());
        }

        using var stream = File.OpenRead(path);
        var document = JsonSerializer.Deserialize<HostJson>(stream, FunctionMetadata.JsonOptions);
        var extensions = document?.Extensions;
        return new HostSettings(
            extensions?.Http?.RoutePrefix ?? "api",
            extensions?.Queues ?? new QueueSettings());
    }

    private sealed record HostJson(ExtensionsJson? Extensions);

    private sealed record ExtensionsJson(HttpJson? Http, QueueSettings? Queues);

    private sealed record HttpJson(string? RoutePrefix);
}

/// <summary>
/// The queue-trigger settings of <c>host.json</c> (<c>extensions.queues</c>); the defaults are those the
/// host documents.
/// </summary>
public sealed record QueueSettings
{
    public int BatchSize { get; init; } = 16;

    /// <summary>The host's default is half the batch size.</summary>
    public int? NewBatchThreshold { get; init; }

    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a failed message stays invisible before it is tried again.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    public int MaxDequeueCount { get; init; } = 5;

    public string MessageEncoding { get; init; } = "base64";

    public int EffectiveNewBatchThreshold => NewBatchThreshold ?? BatchSize / 2;
}
