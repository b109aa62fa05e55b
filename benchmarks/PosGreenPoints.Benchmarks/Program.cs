using System.Globalization;
using System.Runtime.InteropServices;
using PosGreenPoints.Benchmarks;

// dotnet run -c Release --project benchmarks/PosGreenPoints.Benchmarks [-- --list-rows 1000000 --postings 1000000 --receipts 200 --sections 1,2,3,4,5
//     --e2e-receipts 500 --e2e-batches 20 --e2e-clients 4 --e2e-raw-seconds 3
//     --lots 1000000 --lots-per-member 10 --expiry-events auto|azurite|stand-in --redemptions 200 --activities 500
//     --clearing-entries 1000000]
var sections = (OptionText(args, "--sections") ?? "1,2,3,4,5,6,7,8").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
var listRows = Option(args, "--list-rows", 1_000_000);
var postings = Option(args, "--postings", 1_000_000);
var receipts = Option(args, "--receipts", 200);
var classifySeconds = Option(args, "--classify-seconds", 2);
var clearingEntries = Option(args, "--clearing-entries", 1_000_000);
var expiry = new ExpirySizes(Option(args, "--lots", 1_000_000), Option(args, "--lots-per-member", 10), OptionText(args, "--expiry-events") ?? "auto");
var redemptions = Option(args, "--redemptions", 200);
var activities = Option(args, "--activities", 500);
var endToEnd = new EndToEndSizes(Option(args, "--e2e-receipts", 500), Option(args, "--e2e-batches", 20), Option(args, "--e2e-clients", 4), Option(args, "--e2e-raw-seconds", 3));

Console.WriteLine("PosGreenPoints benchmark");
Console.WriteLine($"Date: {DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}");
Console.WriteLine($"Machine: {Environment.ProcessorCount} logical processors, {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture}), {RuntimeInformation.FrameworkDescription}, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}");
Console.WriteLine($"Sizes: --list-rows {listRows} --postings {postings} --receipts {receipts} --classify-seconds {classifySeconds} --e2e-receipts {endToEnd.Receipts} --e2e-batches {endToEnd.Batches} --e2e-clients {endToEnd.Clients} --e2e-raw-seconds {endToEnd.RawSeconds} --lots {expiry.Lots} --lots-per-member {expiry.LotsPerMember} --expiry-events {expiry.Events} --redemptions {redemptions} --activities {activities} --clearing-entries {clearingEntries} --sections {string.Join(',', sections.Order())}");
Console.WriteLine();

var report = new Report();

// Settlement runs first (its peak working set is the process's), but is printed last.
Action<Report> settlement = r => r.NotMeasured("4 Settlement", "write postings", "≤ 60 s, ≤ 400 MB", "skipped (--sections)");
if (sections.Contains("4"))
{
    try
    {
        settlement = await SettlementSynthetic.RunAsync(postings);
    }
    catch (Exception failure) when (failure is not OutOfMemoryException)
    {
        settlement = r => r.NotMeasured("4 Settlement", "write postings", "≤ 60 s, ≤ 400 MB", "failed: " + failure.Message);
    }
}

await SectionAsync("1", "1 Classification", "load and classify", "≤ 3 s, ≤ 200 MB, ≥ 2,000,000 lines/s",
    () => ClassificationBenchmark.RunAsync(report, listRows, TimeSpan.FromSeconds(classifySeconds)));
await SectionAsync("2", "2 Storage ops", "per receipt, end to end", "≤ 8 single, ≤ 1 batch of 100", () => StorageBenchmark.RunAsync(report, receipts));
await SectionAsync("3", "3 End to end", "receipts/s post → scored through the local runner, beside Azurite raw", "report", () => EndToEndBenchmark.RunAsync(report, endToEnd));
await SectionAsync("5", "5 Expiry", "expire lots due at one instant", "≤ 60 s, ≤ 400 MB", () => ExpiryBenchmark.RunAsync(report, expiry));
await SectionAsync("6", "6 Redemption", "reserve + commit: storage ops, reservations/s", "≤ 6 ops", () => RedemptionBenchmark.RunAsync(report, redemptions, endToEnd.Clients));
await SectionAsync("7", "7 Activities end to end", "activities/s post → scored", "report", () => ActivityThroughputBenchmark.RunAsync(report, activities, endToEnd.Clients));
await SectionAsync("8", "8 Clearing", "generate a clearing day", "≤ 60 s, ≤ 400 MB", () => ClearingBenchmark.RunAsync(report, clearingEntries));

settlement(report);

Console.WriteLine(report.Render());
return 0;

// A section that fails is a row saying so, and the others still run; the whole failure goes to the
// console (it may hold the runner's and Azurite's output), its first line to the table.
async Task SectionAsync(string number, string section, string measure, string target, Func<Task> run)
{
    if (!sections.Contains(number))
    {
        return;
    }

    try
    {
        await run();
    }
    catch (Exception failure) when (failure is not OutOfMemoryException)
    {
        Console.Error.WriteLine(failure);
        report.NotMeasured(section, measure, target, "failed: " + failure.GetType().Name + ": " + failure.Message.Split('\n')[0]);
    }
}

static string? OptionText(string[] args, string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

static int Option(string[] args, string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}
