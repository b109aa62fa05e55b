using System.Buffers;
using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace PosGreenPoints.Functions.Classification;

/// <summary>
/// Writes a list version's bytes into its block blob as they stream by, as staged blocks that become
/// the blob only at <see cref="CommitAsync"/>. Hand-written rather than
/// <see cref="BlockBlobClient.OpenWriteAsync(bool, BlockBlobOpenWriteOptions, CancellationToken)"/>,
/// whose stream commits whatever was written when it is disposed: here a list that turns out invalid,
/// or loses the race to become current, must never become a visible version. Its staged blocks are
/// never committed, and the service discards uncommitted blocks after a week.
/// </summary>
internal sealed class VersionBlobWriter(BlockBlobClient blob) : IAsyncDisposable
{
    /// <summary>4 MiB blocks allow lists up to 195 GiB (50,000 blocks) with two buffers in memory.</summary>
    private const int BlockSize = 4 * 1024 * 1024;

    private readonly List<string> _blockIds = [];
    private byte[]? _buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
    private int _filled;
    private byte[]? _stagingBuffer;
    private Task _staging = Task.CompletedTask;

    public BlockBlobClient Blob => blob;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            var buffer = _buffer ?? throw new ObjectDisposedException(nameof(VersionBlobWriter));
            var count = Math.Min(data.Length, BlockSize - _filled);
            data.Span[..count].CopyTo(buffer.AsSpan(_filled));
            _filled += count;
            data = data[count..];
            if (_filled == BlockSize)
            {
                await StageBufferAsync(cancellationToken);
            }
        }
    }

    /// <summary>Makes the blob out of every block written, failing if a blob of that name exists.</summary>
    public async Task CommitAsync(string contentType, IDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        if (_filled > 0)
        {
            await StageBufferAsync(cancellationToken);
        }

        await _staging;
        await blob.CommitBlockListAsync(
            _blockIds,
            new CommitBlockListOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                Metadata = metadata,
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            },
            cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // Only to know the buffer is no longer read: a staging failure has already failed the publish,
        // through WriteAsync or CommitAsync, or the publish failed for its own reason first.
        await _staging.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Return(ref _stagingBuffer);
        Return(ref _buffer);
    }

    /// <summary>Stages the full buffer while the next one fills: one block in flight at a time.</summary>
    private async Task StageBufferAsync(CancellationToken cancellationToken)
    {
        await _staging;
        Return(ref _stagingBuffer);

        // Block ids must all have the same length; a counter keeps them in order and unique.
        var blockId = Convert.ToBase64String(Encoding.ASCII.GetBytes(_blockIds.Count.ToString("D8", CultureInfo.InvariantCulture)));
        _blockIds.Add(blockId);
        _stagingBuffer = _buffer;
        var content = new MemoryStream(_stagingBuffer!, 0, _filled, writable: false);
        _buffer = ArrayPool<byte>.Shared.Rent(BlockSize);
        _filled = 0;
        _staging = blob.StageBlockAsync(blockId, content, cancellationToken: cancellationToken);
    }

    private static void Return(ref byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = null;
        }
    }
}
