using System.Net.Sockets;
using System.Text;

namespace PosGreenPoints.Tests.EndToEnd;

/// <summary>Requests HttpClient would refuse to send (a NUL in the path, oversize headers), written to the socket as they are.</summary>
public static class RawHttp
{
    /// <summary>Sends <paramref name="request"/> and reads the answer until the server closes the connection.</summary>
    public static async Task<string> SendAsync(Uri server, string request)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(server.Host, server.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var answer = new MemoryStream();
        await stream.CopyToAsync(answer, timeout.Token);
        return Encoding.UTF8.GetString(answer.ToArray());
    }
}
