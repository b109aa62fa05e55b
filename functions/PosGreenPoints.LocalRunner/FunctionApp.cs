using System.Reflection;
using System.Runtime.Loader;
using Microsoft.Extensions.DependencyInjection;

namespace PosGreenPoints.LocalRunner;

/// <summary>
/// The Function App as the runner sees it: its build output folder, its assembly (loaded with its own
/// dependencies) and its functions.
/// </summary>
public sealed class FunctionApp
{
    /// <summary>The assembly metadata key under which an app names its service-registration method.</summary>
    public const string ServiceRegistrationKey = "LocalRunner.ServiceRegistration";

    private FunctionApp(string directory, Assembly assembly, HostSettings host, IReadOnlyList<FunctionMetadata> functions)
    {
        Directory = directory;
        Assembly = assembly;
        Host = host;
        Functions = functions;
    }

    public string Directory { get; }
    public Assembly Assembly { get; }
    public HostSettings Host { get; }
    public IReadOnlyList<FunctionMetadata> Functions { get; }

    public static FunctionApp Load(string directory)
    {
        directory = Path.GetFullPath(directory);
        var functions = FunctionMetadata.Load(directory);
        if (functions.Count == 0)
        {
            throw new RunnerStartupException($"functions.metadata in {directory} lists no functions.");
        }

        var scriptFile = Path.Combine(directory, functions[0].ScriptFile);
        if (!File.Exists(scriptFile))
        {
            throw new RunnerStartupException($"The app assembly {scriptFile} named by functions.metadata does not exist.");
        }

        // The app's own dependencies (CsvHelper, …) are found through its deps.json; assemblies the
        // runner ships too (the Azure SDK, the worker extensions) are shared, so that a QueueMessage
        // or TimerInfo made here is the type the app's method takes. Central package management keeps
        // their versions equal.
        var resolver = new AssemblyDependencyResolver(scriptFile);
        AssemblyLoadContext.Default.Resolving += (context, name) =>
            resolver.ResolveAssemblyToPath(name) is { } path ? context.LoadFromAssemblyPath(path) : null;
        var assembly = AssemblyLoadContext.Default.LoadFromAssemblyPath(scriptFile);

        return new FunctionApp(directory, assembly, HostSettings.Load(directory), functions);
    }

    /// <summary>
    /// The app without the given functions: as the host does for <c>AzureWebJobs.&lt;name&gt;.Disabled</c>,
    /// a disabled function is neither served nor triggered.
    /// </summary>
    public FunctionApp Without(IReadOnlyCollection<FunctionMetadata> disabled) =>
        disabled.Count == 0 ? this : new FunctionApp(Directory, Assembly, Host, Functions.Except(disabled).ToList());

    /// <summary>Calls the app's service registration, named by its <c>LocalRunner.ServiceRegistration</c> assembly metadata.</summary>
    public void RegisterServices(IServiceCollection services, IConfiguration configuration)
    {
        var target = Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == ServiceRegistrationKey)?.Value;
        if (target is null)
        {
            return;
        }

        var split = target.LastIndexOf('.');
        var type = Assembly.GetType(target[..split], throwOnError: false)
            ?? throw new RunnerStartupException($"{ServiceRegistrationKey} names the type {target[..split]}, which {Assembly.GetName().Name} does not have.");
        var method = type.GetMethod(target[(split + 1)..], BindingFlags.Public | BindingFlags.Static, [typeof(IServiceCollection), typeof(IConfiguration)])
            ?? throw new RunnerStartupException($"{ServiceRegistrationKey} names {target}, which is not a public static method (IServiceCollection, IConfiguration).");
        method.Invoke(null, BindingFlags.DoNotWrapExceptions, binder: null, [services, configuration], culture: null);
    }
}
