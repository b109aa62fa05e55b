using Azure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Infrastructure.Http;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Admin;

[Collection(SharedAzurite.Name)]
public sealed class ApiGateTests(AzuriteFixture azurite)
{
    private const string BootstrapKey = "integration-test-operator-key-0123456789abcdef";
    private static readonly Access Operators = new("test-operators", new HashSet<Role> { Role.Operator }, ChainScoped: false);
    private static readonly Access PosOnly = new("test-pos-only", new HashSet<Role> { Role.Pos }, ChainScoped: false);

    [Fact]
    public async Task No_key_is_401_naming_the_scheme_and_the_action_does_not_run()
    {
        await using var services = AppServices.Build(azurite);
        var request = new DefaultHttpContext().Request;
        var ran = false;

        var result = await services.GetRequiredService<ApiGate>().RunAsync(request, Operators, _ =>
        {
            ran = true;
            return Task.FromResult<IActionResult>(new OkResult());
        }, CancellationToken.None);

        Assert.Equal(StatusCodes.Status401Unauthorized, StatusOf(result));
        Assert.False(ran);
        Assert.Equal("ApiKey header=\"X-Api-Key\"", request.HttpContext.Response.Headers.WWWAuthenticate.ToString());
    }

    [Fact]
    public async Task A_role_not_allowed_is_403()
    {
        await using var services = AppServices.Build(azurite);

        var result = await services.GetRequiredService<ApiGate>().RunAsync(
            RequestWithKey(BootstrapKey), PosOnly, _ => Task.FromResult<IActionResult>(new OkResult()), CancellationToken.None);

        Assert.Equal(StatusCodes.Status403Forbidden, StatusOf(result));
    }

    [Fact]
    public async Task An_allowed_caller_gets_the_action_run_as_itself()
    {
        await using var services = AppServices.Build(azurite);
        Caller? seen = null;

        var result = await services.GetRequiredService<ApiGate>().RunAsync(RequestWithKey(BootstrapKey), Operators, caller =>
        {
            seen = caller;
            return Task.FromResult<IActionResult>(new OkResult());
        }, CancellationToken.None);

        Assert.Equal(StatusCodes.Status200OK, StatusOf(result));
        Assert.Equal(ApiKeys.BootstrapOperatorClientId, seen?.ClientId);
    }

    public static TheoryData<Exception> StorageFailures() => new()
    {
        new RequestFailedException(503, "Server busy"),
        new RequestFailedException(500, "Internal error"),
        new RequestFailedException(0, "No answer"),
        new RequestFailedException(429, "Too many requests"),
        new AggregateException(new RequestFailedException(0, "No answer")),
        new HttpRequestException("Connection refused"),
        new TimeoutException(),
        new TaskCanceledException("The SDK's network timeout"),
    };

    [Theory]
    [MemberData(nameof(StorageFailures))]
    public async Task A_storage_failure_is_503_with_Retry_After(Exception failure)
    {
        await using var services = AppServices.Build(azurite);
        var request = RequestWithKey(BootstrapKey);

        var result = await services.GetRequiredService<ApiGate>().RunAsync(request, Operators, _ => throw failure, CancellationToken.None);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, StatusOf(result));
        Assert.Equal("5", request.HttpContext.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task A_storage_answer_of_4xx_is_a_bug_answered_as_a_500_problem_that_names_nothing()
    {
        await using var services = AppServices.Build(azurite);
        var request = RequestWithKey(BootstrapKey);

        var result = await services.GetRequiredService<ApiGate>().RunAsync(
            request, Operators, _ => throw new RequestFailedException(400, "Bad request to https://account.blob.core.windows.net/?sig=secret"), CancellationToken.None);

        var problem = Assert.IsType<ObjectResult>(result);
        Assert.Equal(500, problem.StatusCode);
        Assert.Equal(ProblemTypes.InternalError, Assert.IsType<ProblemDetails>(problem.Value).Type);
        Assert.DoesNotContain("sig=", System.Text.Json.JsonSerializer.Serialize(problem.Value), StringComparison.Ordinal);
        Assert.Equal("no-store", request.HttpContext.Response.Headers.CacheControl);
        Assert.Equal("nosniff", request.HttpContext.Response.Headers.XContentTypeOptions);
    }

    [Fact]
    public async Task A_cancellation_the_caller_asked_for_propagates()
    {
        await using var services = AppServices.Build(azurite);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(() => services.GetRequiredService<ApiGate>().RunAsync(
            RequestWithKey(BootstrapKey), Operators, _ => throw new OperationCanceledException(cancelled.Token), cancelled.Token));
    }

    [Fact]
    public async Task A_storage_outage_while_authenticating_a_client_key_is_503()
    {
        var unreachable = azurite.ConnectionString.Replace($":{azurite.TablePort}/", ":1/", StringComparison.Ordinal);
        await using var services = AppServices.Build(azurite, settings: new Dictionary<string, string?> { ["AzureWebJobsStorage"] = unreachable });
        var request = RequestWithKey("some-client." + new string('a', ApiKeys.SecretLength));

        var result = await services.GetRequiredService<ApiGate>().RunAsync(
            request, Operators, _ => Task.FromResult<IActionResult>(new OkResult()), CancellationToken.None);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, StatusOf(result));
    }

    private static HttpRequest RequestWithKey(string key)
    {
        var request = new DefaultHttpContext().Request;
        request.Headers[ApiKeyAuthenticator.HeaderName] = key;
        return request;
    }

    private static int? StatusOf(IActionResult result) => result switch
    {
        ObjectResult objectResult => objectResult.StatusCode,
        StatusCodeResult statusCodeResult => statusCodeResult.StatusCode,
        _ => null,
    };
}
