using System.Diagnostics;
using System.Globalization;
using System.Text;
using PosGreenPoints.Functions.Classification;

namespace PosGreenPoints.Benchmarks;

/// <summary>Section 1: a certified-green-shaped list loaded and classified against in process.</summary>
internal static class ClassificationBenchmark
{
    private const string Section = "1 Classification";

    public static async Task RunAsync(Report report, int listRows, TimeSpan classifyFor)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var (csv, hits, misses) = Generate(listRows, today);

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        ProductListIndex index;
        using (var stream = new MemoryStream(csv, writable: false))
        {
            index = await ProductListIndex.LoadAsync(stream, "certified-green", "bench.1", CancellationToken.None);
        }

        var load = watch.Elapsed;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var heap = (after - before) / Memory.Mb;
        var snapshot = new ClassificationSnapshot([index]);
        csv = [];

        // Half hits, half misses, in a fixed shuffled order.
        var random = new Random(20261125);
        var queries = new string[Math.Min(hits.Count, misses.Count) * 2];
        for (var i = 0; i < queries.Length / 2; i++)
        {
            queries[2 * i] = hits[i];
            queries[(2 * i) + 1] = misses[i];
        }

        random.Shuffle(queries);

        // Warm-up, then one thread for the requested time.
        var matched = 0L;
        for (var i = 0; i < Math.Min(queries.Length, 200_000); i++)
        {
            matched += snapshot.Classify(queries[i], today).Count;
        }

        long lines = 0;
        matched = 0;
        watch.Restart();
        while (watch.Elapsed < classifyFor)
        {
            for (var i = 0; i < queries.Length; i++)
            {
                matched += snapshot.Classify(queries[i], today).Count;
            }

            lines += queries.Length;
        }

        var elapsed = watch.Elapsed.TotalSeconds;
        var perSecond = lines / elapsed;
        var hitsOnly = Rate(snapshot, hits, today, classifyFor / 4);
        var missesOnly = Rate(snapshot, misses, today, classifyFor / 4);
        GC.KeepAlive(index);

        report.Add(Section, $"load {listRows:N0} rows ({index.MatchableRowCount:N0} matchable)", $"{load.TotalSeconds:F2} s", "≤ 3 s", load.TotalSeconds <= 3);
        report.Add(Section, "managed heap of the loaded index", $"{heap:F0} MB", "≤ 200 MB", heap <= 200);
        report.Add(Section, $"classify, 1 thread, half hits half misses shuffled, {lines:N0} lines in {elapsed:F1} s", $"{perSecond:N0} lines/s", "≥ 2,000,000 lines/s", perSecond >= 2_000_000);
        report.Add(Section, "  hits only, in GTIN order (cache-friendly; each hit allocates its match)", $"{hitsOnly:N0} lines/s", "", null);
        report.Add(Section, "  misses only, in GTIN order (cache-friendly)", $"{missesOnly:N0} lines/s", "", null);
    }

    private static double Rate(ClassificationSnapshot snapshot, List<string> gtins, DateOnly today, TimeSpan duration)
    {
        long lines = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration)
        {
            for (var i = 0; i < gtins.Count; i++)
            {
                lines += snapshot.Classify(gtins[i], today).Count >= 0 ? 1 : 0;
            }
        }

        return lines / watch.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// A CSV with the certified-green columns: valid GTIN-13s, 94% valid status, windows around today
    /// (some ended), 2% renewed certificates (a second, older row for a GTIN). Returns GTIN-14s that hit
    /// today and GTIN-14s that are on no row.
    /// </summary>
    private static (byte[] Csv, List<string> Hits, List<string> Misses) Generate(int rows, DateOnly today)
    {
        var random = new Random(42);
        var text = new StringBuilder(rows * 110);
        text.Append("gtin,certificate_number,product_name,brand,model,category,certified_company,valid_from,valid_to,status\n");
        var hits = new List<string>(rows);
        var misses = new List<string>(rows);
        string[] products = ["节水坐便器", "节能冰箱", "水性涂料", "LED灯具", "家具", "洗衣机"];
        var written = 0;
        for (var n = 0L; written < rows; n++)
        {
            var gtin = Gtin13("69", n);
            var status = random.Next(100) switch { < 94 => "valid", < 97 => "suspended", _ => "revoked" };
            var ended = random.Next(100) < 5;
            var from = ended ? today.AddDays(-random.Next(400, 1500)) : today.AddDays(-random.Next(0, 1000));
            var to = ended ? today.AddDays(-random.Next(1, 300)) : today.AddDays(random.Next(1, 1000));
            var product = products[n % products.Length];
            Row(text, gtin, n, product, from, to, status);
            written++;
            if (status == "valid" && !ended)
            {
                hits.Add("0" + gtin);
            }

            if (written < rows && random.Next(100) < 2)
            {
                // A renewed certificate: an earlier window, ended.
                Row(text, gtin, n + 10_000_000, product, from.AddDays(-1100), from.AddDays(-1), "valid");
                written++;
            }

            misses.Add("0" + Gtin13("68", n));
        }

        return (Encoding.UTF8.GetBytes(text.ToString()), hits, misses);
    }

    private static void Row(StringBuilder text, string gtin, long n, string product, DateOnly from, DateOnly to, string status) =>
        text.Append(CultureInfo.InvariantCulture, $"{gtin},GP2025{n:D8},素朴{product},素朴,M-{n % 10000:D4},家居,素朴日化有限公司,{from:yyyy-MM-dd},{to:yyyy-MM-dd},{status}\n");

    /// <summary>A GTIN-13: prefix, the number in 10 digits, and its check digit.</summary>
    internal static string Gtin13(string prefix, long number)
    {
        var body = prefix + (number % 10_000_000_000L).ToString("D10", CultureInfo.InvariantCulture);
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
        {
            // From the right of the 12-digit body, weights 3,1,3,1…: index 11 has weight 3.
            var digit = body[i] - '0';
            sum += (body.Length - i) % 2 == 1 ? digit * 3 : digit;
        }

        return body + (char)('0' + ((10 - (sum % 10)) % 10));
    }
}
