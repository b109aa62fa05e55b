using System.Text.Json;
using System.Text.Json.Serialization;

namespace PosGreenPoints.LocalRunner;

/// <summary>
/// One entry of the <c>functions.metadata</c> file that the Worker SDK writes at build: the same
/// description of the app's functions that the Functions host reads.
/// </summary>
public sealed record FunctionMetadata(
    string Name,
    string ScriptFile,
    string EntryPoint,
    IReadOnlyList<BindingMetadata> Bindings)
{
    public BindingMetadata Trigger =>
        Bindings.Single(binding => binding.Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase));

    public static IReadOnlyList<FunctionMetadata> Load(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "functions.metadata");
        if (!File.Exists(path))
        {
            throw new RunnerStartupException($"No functions.metadata in {appDirectory}: build the Function App first (dotnet build).");
        }

        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<List<FunctionMetadata>>(stream, JsonOptions)
            ?? throw new RunnerStartupException($"{path} is empty.");
    }

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };
}

/// <summary>A binding as the metadata file has it; only the properties the runner serves are read.</summary>
public sealed record BindingMetadata(
    string Name,
    string Type,
    string Direction,
    string? Route = null,
    IReadOnlyList<string>? Methods = null,
    string? QueueName = null,
    string? Connection = null,
    string? Schedule = null,
    [property: JsonPropertyName("runOnStartup")] bool RunOnStartup = false);

public sealed class RunnerStartupException(string message) : Exception(message);
