using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using PosGreenPoints.Tests.Fixtures;
using PosGreenPoints.VendorClient;

namespace PosGreenPoints.Tests.EndToEnd.VendorClient;

/// <summary>
/// The generated client set up as a vendor would from the document alone: Kiota's default HTTP pipeline, and
/// the document's <c>apiKey</c> security scheme (header <c>X-Api-Key</c>) through Kiota's own API-key provider.
/// </summary>
internal sealed class VendorApi : IDisposable
{
    private const string ApiKeyHeader = "X-Api-Key";

    private readonly HttpClient _http;
    private readonly HttpClientRequestAdapter _adapter;

    private VendorApi(HttpClient http, HttpClientRequestAdapter adapter)
    {
        _http = http;
        _adapter = adapter;
        Client = new PosGreenPointsClient(adapter);
    }

    public PosGreenPointsClient Client { get; }

    public static VendorApi For(FunctionAppFixture app, string apiKey)
    {
        // Kiota's provider sends a key over https only, as vendors reach the app in Azure; the runner serves
        // plain http on loopback, so the client is pointed at https and the last handler takes TLS off.
        var runner = app.Runner.BaseAddress;
        var baseUrl = new UriBuilder(runner) { Scheme = Uri.UriSchemeHttps, Path = string.Empty }.Uri;
        var authentication = new ApiKeyAuthenticationProvider(apiKey, ApiKeyHeader, ApiKeyAuthenticationProvider.KeyLocation.Header, baseUrl.Host);
        var http = KiotaClientFactory.Create(new TlsTerminator(runner));
        var adapter = new HttpClientRequestAdapter(authentication, httpClient: http) { BaseUrl = baseUrl.GetLeftPart(UriPartial.Authority) };
        return new VendorApi(http, adapter);
    }

    public void Dispose()
    {
        _adapter.Dispose();
        _http.Dispose();
    }

    /// <summary>
    /// Stands in for the TLS that Azure's front end terminates before a request reaches the app: forwards a
    /// request for the runner's https address to its http one, and refuses any other address.
    /// </summary>
    private sealed class TlsTerminator(Uri runner) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri ?? throw new InvalidOperationException("A request without an address.");
            if (uri.Scheme != Uri.UriSchemeHttps || uri.Host != runner.Host || uri.Port != runner.Port)
            {
                throw new InvalidOperationException($"The vendor client asked for {uri}, not for the app under test at {runner}.");
            }

            request.RequestUri = new UriBuilder(uri) { Scheme = runner.Scheme }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
