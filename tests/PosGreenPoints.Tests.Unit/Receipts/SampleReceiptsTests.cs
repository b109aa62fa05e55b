using System.Globalization;
using System.Text;
using System.Text.Json;
using PosGreenPoints.Functions.Receipts;

namespace PosGreenPoints.Tests.Unit.Receipts;

/// <summary>
/// The sample receipts (<c>samples/receipts.jsonl</c>) against the validator. All of them follow the
/// contract, returns included, except 22 that post <c>"lines": []</c> with a total of 0, which the
/// contract's "1–500 lines" rejects.
/// </summary>
public sealed class SampleReceiptsTests
{
    private const string SampleChain = "demo-chain";

    private static readonly string[] Receipts = File.ReadAllLines(Path.Combine(SampleDirectory(), "receipts.jsonl"))
        .Where(line => line.Length > 0)
        .ToArray();

    [Fact]
    public void The_sample_receipts_with_lines_are_valid_and_those_without_are_rejected_at_lines()
    {
        // The receipts run from 08:00 to 17:57 in Shanghai on 2026-03-15; 12:00 UTC is 20:00 there.
        var context = SampleContext(new DateTimeOffset(2026, 3, 15, 12, 0, 0, TimeSpan.Zero));
        var valid = new List<ValidatedReceipt>();

        foreach (var json in Receipts)
        {
            var validation = TestReceipts.Validate(json, context);
            if (LineCount(json) == 0)
            {
                TestReceipts.AssertRejectedAt(validation, "lines");
            }
            else
            {
                valid.Add(TestReceipts.AssertValid(validation));
            }
        }

        Assert.Equal(200, Receipts.Length);
        Assert.Equal(178, valid.Count);
        Assert.All(valid, receipt => Assert.Equal(new DateOnly(2026, 3, 15), receipt.BusinessDate));
        Assert.Equal(valid.Count, valid.Select(receipt => receipt.ContentHash).Distinct().Count());
        Assert.All(valid, receipt => Assert.Equal(receipt, ValidatedReceipt.FromCanonicalJson(receipt.CanonicalJson)));
    }

    [Fact]
    public void At_noon_in_shanghai_exactly_the_sample_receipts_issued_after_ten_past_twelve_are_ahead_of_now()
    {
        var now = new DateTimeOffset(2026, 3, 15, 12, 0, 0, TimeSpan.FromHours(8));
        var context = SampleContext(now);
        var ahead = 0;

        foreach (var json in Receipts)
        {
            var expectedPaths = new List<string>();
            if (IssuedAt(json) > now + ReceiptValidator.MaxAheadOfNow)
            {
                expectedPaths.Add("issuedAt");
                ahead++;
            }

            if (LineCount(json) == 0)
            {
                expectedPaths.Add("lines");
            }

            var validation = TestReceipts.Validate(json, context);
            if (expectedPaths.Count == 0)
            {
                TestReceipts.AssertValid(validation);
            }
            else
            {
                TestReceipts.AssertRejectedAt(validation, [.. expectedPaths]);
            }
        }

        Assert.Equal(116, ahead);
    }

    [Fact]
    public void Every_sample_receipt_parses_as_well_formed_json()
    {
        foreach (var json in Receipts)
        {
            var parse = ReceiptJson.Parse(Encoding.UTF8.GetBytes(json));
            Assert.True(parse.IsWellFormed, parse.MalformedReason);
            parse.Document.Dispose();
        }
    }

    private static int LineCount(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("lines").GetArrayLength();
    }

    private static DateTimeOffset IssuedAt(string json)
    {
        using var document = JsonDocument.Parse(json);
        return DateTimeOffset.Parse(document.RootElement.GetProperty("issuedAt").GetString()!, CultureInfo.InvariantCulture);
    }

    private static ReceiptValidationContext SampleContext(DateTimeOffset now) =>
        new(now, ReceiptValidationContext.DefaultMaxAgeDays, chainId => chainId == SampleChain ? TestReceipts.Shanghai : null);

    private static string SampleDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "PosGreenPoints.sln")))
            {
                return Path.Combine(directory.FullName, "samples");
            }
        }

        throw new DirectoryNotFoundException($"No PosGreenPoints.sln above {AppContext.BaseDirectory}.");
    }
}
