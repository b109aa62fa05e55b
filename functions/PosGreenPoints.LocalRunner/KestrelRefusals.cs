using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace PosGreenPoints.LocalRunner;

/// <summary>
/// Makes the answers Kestrel gives on its own (a request it refused before any route saw it: a header
/// section over its limit, 431; headers that did not arrive in time, 408; a request line or path it
/// cannot read, 400) problem details, as the app's API promises for every error. Kestrel writes such an
/// answer as a status line and headers with <c>Content-Length: 0</c> and closes the connection, and
/// offers no hook to change it; it does announce the refusal first, through its
/// <c>Microsoft.AspNetCore.Server.Kestrel.BadRequest</c> diagnostic event on the connection's own
/// thread. The connection middleware here watches that event and replaces the empty answer that follows
/// on that connection with the same status as a problem. An answer a function has begun, or one with a
/// body, is never touched.
/// </summary>
public sealed class KestrelRefusals : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private const string BadRequestEvent = "Microsoft.AspNetCore.Server.Kestrel.BadRequest";

    private readonly ConcurrentDictionary<string, RewritingWriter> _connections = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _subscriptions = [];
    private RunnerProblems? _problems;

    public KestrelRefusals() => _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));

    /// <summary>The app's problem customisation becomes available once the web application is built.</summary>
    public void Use(RunnerProblems problems) => _problems = problems;

    public void Add(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen) =>
        listen.Use(next => async connection =>
        {
            var writer = new RewritingWriter(connection.Transport.Output, this);
            var original = connection.Transport;
            connection.Transport = new DuplexPipe(original.Input, writer);
            _connections[connection.ConnectionId] = writer;
            try
            {
                await next(connection);
            }
            finally
            {
                _connections.TryRemove(connection.ConnectionId, out _);
                connection.Transport = original;
            }
        });

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name == "Microsoft.AspNetCore")
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(listener.Subscribe(this, name => name == BadRequestEvent));
            }
        }
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == BadRequestEvent
            && value.Value is IFeatureCollection features
            && features.Get<IHttpConnectionFeature>()?.ConnectionId is { } id
            && _connections.TryGetValue(id, out var writer)
            && features.Get<IBadRequestExceptionFeature>()?.Error is BadHttpRequestException refusal)
        {
            // Not Kestrel's message: it can quote the request line back.
            writer.Expect(refusal.StatusCode, "The server refused the request before any function saw it.");
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted()
    {
    }

    void IObserver<DiagnosticListener>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }

    public void Dispose()
    {
        lock (_subscriptions)
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }
        }
    }

    private byte[] ProblemFor(int status, string reason) =>
        (_problems ?? throw new InvalidOperationException("No problem writer yet.")).Body(status, Title(status), reason);

    private static string Title(int status) => status switch
    {
        StatusCodes.Status408RequestTimeout => "The request did not arrive in time.",
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status414UriTooLong => "The request target is too long.",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "The request headers are too large.",
        _ => "The request could not be read.",
    };

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>
    /// Passes every write through, except, after a refusal was announced, the next flushed header block:
    /// held back, and replaced when it is the empty answer of that refusal.
    /// </summary>
    private sealed class RewritingWriter(PipeWriter inner, KestrelRefusals owner) : PipeWriter
    {
        private readonly ArrayBufferWriter<byte> _held = new();
        private (int Status, string Reason)? _expected;
        private bool _holding;
        private bool _lastFromHeld;

        public void Expect(int status, string reason) => _expected = (status, reason);

        // Kestrel's response body writer asks these of the transport (System.Text.Json flushes by them).
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes + (_holding ? _held.WrittenCount : 0);

        public override void Advance(int bytes)
        {
            if (_lastFromHeld)
            {
                _held.Advance(bytes);
            }
            else
            {
                inner.Advance(bytes);
            }
        }

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            StartHoldingIfExpected();
            _lastFromHeld = _holding;
            return _holding ? _held.GetMemory(Math.Max(sizeHint, 1)) : inner.GetMemory(sizeHint);
        }

        public override Span<byte> GetSpan(int sizeHint = 0)
        {
            StartHoldingIfExpected();
            _lastFromHeld = _holding;
            return _holding ? _held.GetSpan(Math.Max(sizeHint, 1)) : inner.GetSpan(sizeHint);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (_holding)
            {
                Release();
            }

            return inner.FlushAsync(cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null)
        {
            if (_holding)
            {
                Release();
            }

            inner.Complete(exception);
        }

        public override async ValueTask CompleteAsync(Exception? exception = null)
        {
            if (_holding)
            {
                Release();
            }

            await inner.CompleteAsync(exception);
        }

        private void StartHoldingIfExpected()
        {
            if (!_holding && _expected is not null)
            {
                _holding = true;
                _held.Clear();
            }
        }

        private void Release()
        {
            var (status, reason) = _expected!.Value;
            _holding = false;
            _expected = null;
            var written = _held.WrittenSpan;
            var replacement = Replace(written, status, reason);
            inner.Write(replacement ?? written);
            _held.Clear();
        }

        /// <returns>The problem answer, or null when what was written is not Kestrel's empty answer of this status.</returns>
        private byte[]? Replace(ReadOnlySpan<byte> written, int status, string reason)
        {
            var text = Encoding.Latin1.GetString(written);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            var statusLine = $"HTTP/1.1 {status.ToString(CultureInfo.InvariantCulture)} ";
            if (end < 0 || end + 4 != text.Length || !text.StartsWith(statusLine, StringComparison.Ordinal))
            {
                return null;
            }

            var lines = text[..end].Split("\r\n");
            if (!lines.Contains("Content-Length: 0", StringComparer.OrdinalIgnoreCase)
                || lines.Any(line => line.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase)))
            {
                return null;
            }

            var body = owner.ProblemFor(status, reason);
            var head = new StringBuilder(lines[0]).Append("\r\n");
            foreach (var line in lines.Skip(1).Where(line => !line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)))
            {
                head.Append(line).Append("\r\n");
            }

            head.Append("Content-Type: ").Append(RunnerProblems.ContentType).Append("\r\n")
                .Append("Content-Length: ").Append(body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n")
                .Append("X-Content-Type-Options: nosniff\r\n\r\n");
            return [.. Encoding.Latin1.GetBytes(head.ToString()), .. body];
        }
    }
}
