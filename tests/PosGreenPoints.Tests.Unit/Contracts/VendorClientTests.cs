using System.Text.Json.Nodes;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Unit.Contracts;

/// <summary>
/// Keeps the committed vendor client (<c>tests/PosGreenPoints.VendorClient/Generated</c>) equal to what Kiota
/// generates from the committed <c>contracts/openapi.json</c>: the end-to-end tests that drive the app through
/// that client prove the document only while the client is the document's. The generator runs through
/// <c>scripts/generate-client.sh</c>, so that the options live in one place, into a temporary folder.
/// </summary>
public sealed class VendorClientTests
{
    private const string Regenerate = "scripts/generate-client.sh";
    private const string CommittedClient = "tests/PosGreenPoints.VendorClient/Generated";
    private const string LockFile = "kiota-lock.json";

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task The_committed_vendor_client_is_what_kiota_generates_from_the_committed_document()
    {
        var root = FindRepositoryRoot();
        var committed = Path.Combine(root, CommittedClient);
        var generated = Directory.CreateTempSubdirectory("posgreenpoints-client-");
        try
        {
            await RunGeneratorAsync(root, generated.FullName);

            var expected = Files(generated.FullName);
            var actual = Files(committed);
            var differences = expected.Keys.Union(actual.Keys, StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .Where(file => !expected.TryGetValue(file, out var text) || !actual.TryGetValue(file, out var other) || Normalise(file, text) != Normalise(file, other))
                .Select(file => !actual.ContainsKey(file) ? $"{file} is missing" : !expected.ContainsKey(file) ? $"{file} is no longer generated" : $"{file} differs")
                .ToList();

            Assert.True(differences.Count == 0,
                $"The committed vendor client is stale against contracts/openapi.json ({differences.Count} files: {string.Join("; ", differences.Take(10))}). "
                + $"Regenerate it with `{Regenerate}` (from the repository root) and commit the result.");
        }
        finally
        {
            generated.Delete(recursive: true);
        }
    }

    private static Dictionary<string, string> Files(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
                .ToDictionary(path => Path.GetRelativePath(directory, path).Replace('\\', '/'), File.ReadAllText, StringComparer.Ordinal)
            : [];

    /// <summary>
    /// The lock file records the description's path relative to the output folder, which differs between the
    /// committed folder and a temporary one; its hash of the description and every option still count.
    /// </summary>
    private static string Normalise(string file, string text)
    {
        if (file != LockFile)
        {
            return text;
        }

        var lockFile = JsonNode.Parse(text)!.AsObject();
        lockFile.Remove("descriptionLocation");
        return lockFile.ToJsonString();
    }

    private static async Task RunGeneratorAsync(string root, string output)
    {
        var run = await ProcessRun.RunAsync("bash", [Path.Combine(root, "scripts", "generate-client.sh"), output], RunTimeout, root);

        Assert.True(run.ExitCode == 0,
            $"{Regenerate} exited with {run.ExitCode} (Kiota is restored by `dotnet tool restore`):{Environment.NewLine}{run.StandardOutput}{run.StandardError}");
    }

    private static string FindRepositoryRoot()
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
