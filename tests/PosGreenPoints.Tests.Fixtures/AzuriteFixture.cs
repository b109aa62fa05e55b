using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Xunit;

namespace PosGreenPoints.Tests.Fixtures;

/// <summary>
/// A real Azurite, started from the repository's node_modules on free loopback ports with in-memory
/// persistence (or a data folder, for tests that restart it), and killed when the fixture is disposed.
/// </summary>
public sealed partial class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Azurite's published development account key; it opens nothing but a local emulator.</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string? _dataFolder;
    private ChildProcess? _process;

    public AzuriteFixture()
        : this(dataFolder: null)
    {
    }

    private AzuriteFixture(string? dataFolder) => _dataFolder = dataFolder;

    public int BlobPort { get; private set; }
    public int QueuePort { get; private set; }
    public int TablePort { get; private set; }

    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        $"AccountKey={DevelopmentAccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public BlobServiceClient Blobs => new(ConnectionString);

    /// <summary>Base64 message encoding, as the Functions host expects by default.</summary>
    public QueueServiceClient Queues => new(ConnectionString, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });

    public TableServiceClient Tables => new(ConnectionString);

    /// <summary>An Azurite that keeps its data in <paramref name="dataFolder"/>, so that it can be stopped and started again on the same ports.</summary>
    public static AzuriteFixture WithDataFolder(string dataFolder) => new(dataFolder);

    public async Task InitializeAsync() => await StartAsync();

    public async Task StartAsync()
    {
        var script = Path.Combine(RepositoryPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        if (!File.Exists(script))
        {
            throw new FileNotFoundException($"Azurite is not installed at {script}: run 'npm ci' in the repository root (the README's test command does).");
        }

        List<string> arguments =
        [
            "--require", Path.Combine(AppContext.BaseDirectory, "exit-with-parent.js"),
            script, "--silent", "--skipApiVersionCheck",
            "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(),
            "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(),
            "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(),
        ];
        if (_dataFolder is null)
        {
            arguments.Add("--inMemoryPersistence");
        }
        else
        {
            arguments.AddRange(["--location", _dataFolder]);
        }

        _process = ChildProcess.Start("node", arguments);
        // Node loading Azurite takes seconds alone; on a 2-core machine where the suite starts other
        // Azurites and runners at the same moment it took over 30 s. A budget for starting, not a retry.
        var timeout = TimeSpan.FromSeconds(90);
        BlobPort = int.Parse((await _process.WaitForOutputAsync(Listening("Blob"), timeout)).Groups["port"].Value);
        QueuePort = int.Parse((await _process.WaitForOutputAsync(Listening("Queue"), timeout)).Groups["port"].Value);
        TablePort = int.Parse((await _process.WaitForOutputAsync(Listening("Table"), timeout)).Groups["port"].Value);
    }

    /// <summary>
    /// Stops Azurite as an outage would; <see cref="StartAsync"/> brings it back on the same ports. With a
    /// data folder, Azurite first saves what it holds: it writes its metadata to disk only every 5 s, so a
    /// killed Azurite would forget writes it had acknowledged, which real storage never does, and an
    /// outage test would blame the app for the emulator's loss.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        try
        {
            if (_dataFolder is not null && !_process.HasExited)
            {
                _process.Terminate();
                var timeout = TimeSpan.FromSeconds(15);
                foreach (var service in new[] { "Blob", "Queue", "Table" })
                {
                    await _process.WaitForOutputAsync(new Regex($"Azurite {service} service successfully closed"), timeout);
                }
            }
        }
        finally
        {
            // Saved (or in memory): the process is killed in any case, as exit-with-parent.js keeps it alive.
            await _process.DisposeAsync();
            _process = null;
        }
    }

    public async Task DisposeAsync() => await StopAsync();

    private static Regex Listening(string service) =>
        new($"Azurite {service} service is successfully listening at http://127\\.0\\.0\\.1:(?<port>\\d+)");
}
