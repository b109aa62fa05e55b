using System.Reflection;

namespace PosGreenPoints.Tests.Fixtures;

/// <summary>Where the repository's pieces are, found from the test assembly's own location.</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The build configuration the tests were built in; the apps under test were built in the same one.</summary>
    public static string Configuration { get; } =
        typeof(RepositoryPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static string LocalRunnerDll => BuildOutput("functions/PosGreenPoints.LocalRunner", "PosGreenPoints.LocalRunner.dll");

    public static string FunctionAppDirectory => Path.GetDirectoryName(BuildOutput("functions/PosGreenPoints.Functions", "PosGreenPoints.Functions.dll"))!;

    public static string RunnerTestAppDirectory => Path.GetDirectoryName(BuildOutput("tests/PosGreenPoints.RunnerTestApp", "PosGreenPoints.RunnerTestApp.dll"))!;

    /// <summary>The repository's sample lists and receipts, written by tools/PosGreenPoints.SampleData.</summary>
    public static string SampleData => Path.Combine(Root, "samples");

    private static string BuildOutput(string project, string file)
    {
        var path = Path.Combine(Root, project, "bin", Configuration, "net10.0", file);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{path} is missing: build the solution ({Configuration}) before running the tests.", path);
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PosGreenPoints.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No PosGreenPoints.sln above {AppContext.BaseDirectory}.");
    }
}
