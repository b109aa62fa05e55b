namespace PosGreenPoints.Functions.Clearing;

/// <summary>
/// An external sort of file rows, so that a clearing day of any size is put in file order in flat memory:
/// rows are held up to a chunk, sorted (ordinal) and spilled as a run to a temporary file; the runs are
/// then merged. A row is one string whose ordinal order is the file order (<see cref="ClearingRow.SpoolKey"/>).
/// The temporary files hold member pseudonyms, never member ids, and are deleted on dispose.
/// </summary>
public sealed class ClearingSpool(int chunkRows) : IDisposable
{
    private readonly List<string> _buffer = [];
    private readonly List<string> _runs = [];
    private string? _folder;

    public long Count { get; private set; }

    public void Add(string row)
    {
        _buffer.Add(row);
        Count++;
        if (_buffer.Count >= chunkRows)
        {
            Spill();
        }
    }

    /// <summary>Every row added, in ordinal order. Call once, after the last <see cref="Add"/>.</summary>
    public IEnumerable<string> Sorted()
    {
        if (_runs.Count == 0)
        {
            _buffer.Sort(StringComparer.Ordinal);
            return _buffer;
        }

        Spill();
        return Merge();
    }

    public void Dispose()
    {
        if (_folder is not null && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private void Spill()
    {
        if (_buffer.Count == 0)
        {
            return;
        }

        _buffer.Sort(StringComparer.Ordinal);
        _folder ??= Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "posgreenpoints-clearing-" + Guid.NewGuid().ToString("N"))).FullName;
        var path = Path.Combine(_folder, _runs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".run");
        using (var writer = new BinaryWriter(new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024)))
        {
            writer.Write(_buffer.Count);
            foreach (var row in _buffer)
            {
                writer.Write(row);
            }
        }

        _runs.Add(path);
        _buffer.Clear();
    }

    private IEnumerable<string> Merge()
    {
        var readers = _runs.Select(path => new RunReader(path)).ToList();
        try
        {
            var heads = new PriorityQueue<int, string>(StringComparer.Ordinal);
            for (var index = 0; index < readers.Count; index++)
            {
                if (readers[index].TryRead(out var first))
                {
                    heads.Enqueue(index, first);
                }
            }

            while (heads.TryDequeue(out var index, out var row))
            {
                yield return row;
                if (readers[index].TryRead(out var next))
                {
                    heads.Enqueue(index, next);
                }
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                reader.Dispose();
            }
        }
    }

    private sealed class RunReader(string path) : IDisposable
    {
        private readonly BinaryReader _reader = new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024));
        private int? _left;

        public bool TryRead(out string row)
        {
            _left ??= _reader.ReadInt32();
            if (_left == 0)
            {
                row = "";
                return false;
            }

            _left--;
            row = _reader.ReadString();
            return true;
        }

        public void Dispose() => _reader.Dispose();
    }
}
