using PosGreenPoints.SampleData;

// Writes the sample data into the repository's samples/ folder, or the folder after --out:
//   dotnet run --project tools/PosGreenPoints.SampleData [-- --out <folder>]
// SampleDataTests (unit) fails until the committed files equal what this writes.
var output = args.Length == 2 && args[0] == "--out" ? args[1]
    : args.Length == 0 ? Path.Combine(FindRepositoryRoot(), "samples")
    : null;
if (output is null)
{
    Console.Error.WriteLine("usage: dotnet run --project tools/PosGreenPoints.SampleData [-- --out <folder>]");
    return 2;
}

Directory.CreateDirectory(output);
foreach (var file in SampleDataGenerator.Generate())
{
    var path = Path.Combine(output, file.Name);
    await File.WriteAllBytesAsync(path, file.Content);
    Console.WriteLine($"{Path.GetRelativePath(Environment.CurrentDirectory, path)}: {file.Content.Length:N0} bytes");
}

return 0;

// From the current folder upwards, so that the command works from anywhere inside the clone.
static string FindRepositoryRoot()
{
    for (var directory = new DirectoryInfo(Environment.CurrentDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "PosGreenPoints.sln")))
        {
            return directory.FullName;
        }
    }

    throw new DirectoryNotFoundException($"No PosGreenPoints.sln above {Environment.CurrentDirectory}: run this inside the repository, or name the folder with --out.");
}
