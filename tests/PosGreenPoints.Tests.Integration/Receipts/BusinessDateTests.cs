using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using PosGreenPoints.Functions.Admin;
using PosGreenPoints.Functions.Infrastructure.Auth;
using PosGreenPoints.Functions.Receipts;
using PosGreenPoints.Tests.Fixtures;

namespace PosGreenPoints.Tests.Integration.Receipts;

/// <summary>The business date and the age limits as the receipts API applies them, on a clock the test drives.</summary>
[Collection(SharedAzurite.Name)]
public sealed class BusinessDateTests(AzuriteFixture azurite)
{
    private static readonly Caller Operator = new("operator", Role.Operator, new HashSet<string>());

    [Theory]
    [InlineData("Asia/Shanghai", "2026-03-15T23:30:00+00:00", "2026-03-16")]
    [InlineData("Asia/Shanghai", "2026-03-15T15:59:59+00:00", "2026-03-15")]
    [InlineData("Asia/Shanghai", "2026-03-15T16:00:00+00:00", "2026-03-16")]
    [InlineData("America/New_York", "2026-03-16T03:59:59+00:00", "2026-03-15")]
    [InlineData("America/New_York", "2026-03-16T04:00:00+00:00", "2026-03-16")]
    public async Task The_business_date_is_issuedAt_in_the_chains_time_zone(string timeZone, string issuedAt, string businessDate)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-16T12:00:00+00:00", CultureInfo.InvariantCulture));
        await using var services = AppServices.Build(azurite, clock);
        var chainId = SampleReceipts.NewChainId("bd");
        await services.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new("Business date chain", timeZone), CancellationToken.None);

        var outcome = await SubmitAsync(services, chainId, issuedAt, $"BD-{Guid.NewGuid():N}"[..20]);

        var stored = Assert.IsType<IntakeOutcome.Accepted>(Assert.IsType<SubmissionOutcome.Stored>(outcome).Outcome);
        Assert.Contains($"~{businessDate.Replace("-", "", StringComparison.Ordinal)}~", stored.ReceiptId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receipts_are_refused_past_MaxAgeDays_and_more_than_ten_minutes_ahead_of_the_clock()
    {
        var now = DateTimeOffset.Parse("2026-03-16T04:00:00+00:00", CultureInfo.InvariantCulture); // 12:00 in Shanghai
        var clock = new FakeTimeProvider(now);
        await using var services = AppServices.Build(azurite, clock, new Dictionary<string, string?> { ["Receipts:MaxAgeDays"] = "30" });
        var chainId = SampleReceipts.NewChainId("age");
        await services.GetRequiredService<ChainRegistry>().UpsertAsync(chainId, new("Age chain"), CancellationToken.None);

        var oldest = await SubmitAsync(services, chainId, "2026-02-14T00:00:00+08:00", "AGE-1");
        var tooOld = await SubmitAsync(services, chainId, "2026-02-13T23:59:59+08:00", "AGE-2");
        var justAhead = await SubmitAsync(services, chainId, now.AddMinutes(10).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture), "AGE-3");
        var tooFarAhead = await SubmitAsync(services, chainId, now.AddMinutes(10).AddSeconds(1).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture), "AGE-4");

        Assert.IsType<SubmissionOutcome.Stored>(oldest);
        Assert.Contains("issuedAt", Assert.IsType<SubmissionOutcome.Invalid>(tooOld).Errors.Keys);
        Assert.IsType<SubmissionOutcome.Stored>(justAhead);
        Assert.Contains("issuedAt", Assert.IsType<SubmissionOutcome.Invalid>(tooFarAhead).Errors.Keys);
    }

    private static async Task<SubmissionOutcome> SubmitAsync(ServiceProvider services, string chainId, string issuedAt, string receiptNumber)
    {
        var receipt = SampleReceipts.Receipt(0, chainId);
        receipt["issuedAt"] = issuedAt;
        receipt["receiptNumber"] = receiptNumber;
        using var document = JsonDocument.Parse(receipt.ToJsonString());
        return await services.GetRequiredService<ReceiptSubmissions>().SubmitAsync(document.RootElement, Operator, CancellationToken.None);
    }
}
