using System.Diagnostics;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PosGreenPoints.Tests.Unit.Infrastructure;

/// <summary>
/// Compiles and lints infra/main.bicep with the Bicep CLI pinned by the project file, so that a template
/// that would not deploy cleanly, or that leaks a key, fails here rather than in a pipeline.
/// </summary>
public sealed partial class BicepTests
{
    private const string MainTemplate = "infra/main.bicep";

    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    // Keeps ARM expressions legible in failure messages instead of escaping every quote as \u0027.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [Fact]
    public async Task Main_bicep_builds_without_warnings()
    {
        var run = await RunBicepAsync("build", MainTemplate, "--stdout");

        Assert.True(run.ExitCode == 0, $"bicep build exited with {run.ExitCode}:{Environment.NewLine}{run.StandardError}");
        Assert.False(Diagnostic().IsMatch(run.StandardError), $"bicep build reported diagnostics:{Environment.NewLine}{run.StandardError}");
    }

    [Fact]
    public async Task Main_bicep_lints_without_warnings()
    {
        var run = await RunBicepAsync("lint", MainTemplate);

        // Lint exits with 0 on warnings, so the output is what tells a clean template from a merely valid one.
        Assert.True(run.ExitCode == 0, $"bicep lint exited with {run.ExitCode}:{Environment.NewLine}{run}");
        Assert.False(
            Diagnostic().IsMatch(run.StandardError) || Diagnostic().IsMatch(run.StandardOutput),
            $"bicep lint reported diagnostics:{Environment.NewLine}{run}");
    }

    [Fact]
    public async Task No_app_setting_or_output_holds_a_key_or_connection_string()
    {
        var run = await RunBicepAsync("build", MainTemplate, "--stdout");
        Assert.True(run.ExitCode == 0, $"bicep build exited with {run.ExitCode}:{Environment.NewLine}{run.StandardError}");

        var template = JsonNode.Parse(run.StandardOutput)?.AsObject()
            ?? throw new InvalidOperationException($"bicep build printed no template:{Environment.NewLine}{run}");
        var outputs = template["outputs"]?.AsObject() ?? [];
        Assert.NotEmpty(outputs);

        // A key gets into an app setting or an output through a list* call or as literal key material; the whole
        // template is searched because the Function App's settings will live in it too.
        var findings = run.StandardOutput.Split('\n')
            .Where(line => SecretMaterial().IsMatch(line))
            .Select(line => $"template: {line.Trim()}")
            .Concat(outputs
                .Select(output => (output.Key, Value: output.Value?.ToJsonString(Readable) ?? string.Empty))
                .Where(output => ConnectionString().IsMatch(output.Key) || ConnectionString().IsMatch(output.Value))
                .Select(output => $"output {output.Key}: {output.Value}"))
            .ToList();

        Assert.True(findings.Count == 0, $"The compiled template exposes keys or connection strings:{Environment.NewLine}{string.Join(Environment.NewLine, findings)}");
    }

    /// <summary>
    /// Any warning or error the CLI prints: its diagnostics ("main.bicep(3,7) : Warning no-unused-params: …")
    /// and its notice about experimental features.
    /// </summary>
    [GeneratedRegex(@"\b(warning|error)\b", RegexOptions.IgnoreCase)]
    private static partial Regex Diagnostic();

    [GeneratedRegex(@"\blist\w*\(|AccountKey=|SharedAccessKey", RegexOptions.IgnoreCase)]
    private static partial Regex SecretMaterial();

    [GeneratedRegex("connectionString", RegexOptions.IgnoreCase)]
    private static partial Regex ConnectionString();

    private static async Task<BicepRun> RunBicepAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(BicepCli())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot(),
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start.");
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(RunTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {RunTimeout}.");
        }

        return new BicepRun(process.ExitCode, await standardOutput, await standardError);
    }

    private static string BicepCli()
    {
        var path = typeof(BicepTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == "BicepCli")?.Value;
        if (path is null || !File.Exists(path))
        {
            throw new FileNotFoundException($"The Bicep CLI is not at '{path}': restore the unit test project, which downloads it as a NuGet package.", path);
        }

        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The project downloads the linux-x64 build of the Bicep CLI.");
        }

        // NuGet does not promise to keep file modes when it extracts a package.
        var mode = File.GetUnixFileMode(path);
        if (!mode.HasFlag(UnixFileMode.UserExecute))
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        }

        return path;
    }

    private static string RepositoryRoot()
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

    private sealed record BicepRun(int ExitCode, string StandardOutput, string StandardError)
    {
        public override string ToString() =>
            $"--- stdout ---{Environment.NewLine}{StandardOutput}{Environment.NewLine}--- stderr ---{Environment.NewLine}{StandardError}";
    }
}
