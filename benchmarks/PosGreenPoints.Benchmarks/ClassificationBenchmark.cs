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
        var scattered = new string[Math.Min(hits.Count, misses.Count) * 2];
        for (var i = 0; i < scattered.Length / 2; i++)
        {
            scattered[2 * i] = hits[i];
            scattered[(2 * i) + 1] = misses[i];
        }

        random.Shuffle(scattered);

        // The lines of a receipt are parsed one after another, so their GTIN strings lie side by side in
        // memory. The generator made these in list order: shuffled, each line's string would be a cache
        // miss of its own (150–300 ns here, measured), which no receipt pays. So the stream classified is
        // copies made in the order the lines come; the scattered originals are measured too.
        var inOrder = Array.ConvertAll(scattered, gtin => new string(gtin.AsSpan()));

        var shuffled = Rate(snapshot, inOrder, today, classifyFor, readListIds: false);
        var reading = Rate(snapshot, inOrder, today, classifyFor / 2, readListIds: true);
        var scatteredRate = Rate(snapshot, scattered, today, classifyFor / 2, readListIds: false);
        var hitsOnly = Rate(snapshot, [.. hits], today, classifyFor / 4, readListIds: false);
        var missesOnly = Rate(snapshot, [.. misses], today, classifyFor / 4, readListIds: false);
        GC.KeepAlive(index);

        report.Add(Section, $"load {listRows:N0} rows ({index.MatchableRowCount:N0} matchable)", $"{load.TotalSeconds:F2} s", "≤ 3 s", load.TotalSeconds <= 3);
        report.Add(Section, "managed heap of the loaded index", $"{heap:F0} MB", "≤ 200 MB", heap <= 200);
        report.Add(Section, $"classify, 1 thread, half hits half misses shuffled, {shuffled.Lines:N0} lines in {shuffled.Seconds:F1} s, {shuffled.MatchedShare:P0} matched, {shuffled.BytesPerLine:F0} B allocated a line", $"{shuffled.PerSecond:N0} lines/s", "≥ 2,000,000 lines/s", shuffled.PerSecond >= 2_000_000);
        report.Add(Section, $"  the same, reading each match's list id as scoring does ({reading.MatchedShare:P0} matched)", $"{reading.PerSecond:N0} lines/s", "", null);
        report.Add(Section, $"  the same, each line's GTIN string elsewhere in the heap, a cache miss of its own ({scatteredRate.MatchedShare:P0} matched)", $"{scatteredRate.PerSecond:N0} lines/s", "", null);
        report.Add(Section, $"  hits only, in GTIN order (cache-friendly; {hitsOnly.MatchedShare:P0} matched)", $"{hitsOnly.PerSecond:N0} lines/s", "", null);
        report.Add(Section, $"  misses only, in GTIN order (cache-friendly; {missesOnly.MatchedShare:P0} matched)", $"{missesOnly.PerSecond:N0} lines/s", "", null);
    }

    /// <summary>Classifies the lines over and over for about <paramref name="duration"/>, after a warm-up.</summary>
    /// <param name="readListIds">Whether to read each match, as scoring does, or only count them.</param>
    private static Throughput Rate(ClassificationSnapshot snapshot, string[] gtins, DateOnly today, TimeSpan duration, bool readListIds)
    {
        for (var i = 0; i < Math.Min(gtins.Length, 200_000); i++)
        {
            snapshot.Classify(gtins[i], today);
        }

        // The matches are counted, and the count reported, so that no call can be left out.
        long lines = 0;
        long matched = 0;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration)
        {
            for (var i = 0; i < gtins.Length; i++)
            {
                var matches = snapshot.Classify(gtins[i], today);
                if (readListIds)
                {
                    for (var match = 0; match < matches.Count; match++)
                    {
                        matched += matches[match].ListId.Length > 0 ? 1 : 0;
                    }
                }
                else
                {
                    matched += matches.Count;
                }
            }

            lines += gtins.Length;
        }

        var seconds = watch.Elapsed.TotalSeconds;
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        return new Throughput(lines, seconds, (double)matched / lines, (double)allocated / lines);
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

    private sealed record Throughput(long Lines, double Seconds, double MatchedShare, double BytesPerLine)
    {
        public double PerSecond => Lines / Seconds;
    }

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
