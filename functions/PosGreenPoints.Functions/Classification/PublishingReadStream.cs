using System.Security.Cryptography;

namespace PosGreenPoints.Functions.Classification;

/// <summary>The body went past the limit of the route it came through.</summary>
internal sealed class PayloadTooLargeException(long limitBytes)
    : IOException($"The body is larger than {limitBytes} bytes.")
{
    public long LimitBytes => limitBytes;
}

/// <summary>
/// What the CSV reader reads a list through while it is published: every byte of the source, counted
/// against a limit, hashed, and copied to the version blob while <c>keepCopying</c> says the list is
/// still valid. So the list is read once, and held in memory a block at a time, whatever its size.
/// Hand-written: the BCL and the Azure SDK have no stream that tees.
/// </summary>
internal sealed class PublishingReadStream(
    Stream source,
    long? limitBytes,
    VersionBlobWriter copy,
    Func<bool> keepCopying,
    CancellationToken cancellationToken) : Stream
{
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _length;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    /// <summary>The SHA-256 of every byte read, as lowercase hex; call once, at the end.</summary>
    public string Sha256() => Convert.ToHexStringLower(_sha256.GetHashAndReset());

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken readCancellation = default)
    {
        // The CSV reader passes no token of its own: the publish's token is the one that counts.
        var token = readCancellation.CanBeCanceled ? readCancellation : cancellationToken;
        var read = await source.ReadAsync(buffer, token);
        _length += read;
        if (limitBytes is { } limit && _length > limit)
        {
            throw new PayloadTooLargeException(limit);
        }

        var bytes = buffer[..read];
        _sha256.AppendData(bytes.Span);
        if (read > 0 && keepCopying())
        {
            await copy.WriteAsync(bytes, token);
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken readCancellation) =>
        ReadAsync(buffer.AsMemory(offset, count), readCancellation).AsTask();

    // The copy to the blob is asynchronous; a synchronous read would block a thread on it.
    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("Read the list asynchronously.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha256.Dispose();
        }

        base.Dispose(disposing);
    }
}
