using System.Diagnostics;
using System.Net;

namespace PosGreenPoints.Benchmarks;

/// <summary>Requests sent by several clients at once, as tills do: each answered as expected, with its latency.</summary>
internal static class ConcurrentRequests
{
    /// <summary>
    /// Sends requests 0 … <paramref name="count"/> − 1 over <paramref name="clients"/>, each client taking the
    /// next one as soon as its last is answered; any answer not in <paramref name="expected"/> fails the run.
    /// </summary>
    /// <returns>Requests per second over the whole run, and each request's milliseconds by its index.</returns>
    public static async Task<(double PerSecond, double[] Latencies)> SendAsync(HttpClient[] clients, int count, Func<int, HttpRequestMessage> request, params HttpStatusCode[] expected)
    {
        var latencies = new double[count];
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(clients.Select(async client =>
        {
            for (var index = Interlocked.Increment(ref next); index < count; index = Interlocked.Increment(ref next))
            {
                using var message = request(index);
                var sent = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(message);
                latencies[index] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                await EndToEndBenchmark.ExpectAsync(response, message.RequestUri!.OriginalString, expected);
            }
        }));
        return (count / Stopwatch.GetElapsedTime(started).TotalSeconds, latencies);
    }
}
