using System.Globalization;

namespace PosGreenPoints.SampleData;

/// <summary>What a product is on the sample lists, which is what a receipt line needs to know to be a case.</summary>
internal enum ProductClass
{
    /// <summary>On no list: earns nothing.</summary>
    Unlisted,

    /// <summary>certified-green only, valid, one window from before 2026 to 2099.</summary>
    GreenOnly,

    /// <summary>low-voc only, one window from before 2026 to 2099.</summary>
    LowVocOnly,

    /// <summary>On both lists, valid on both: 1.5 points a yuan.</summary>
    BothLists,

    /// <summary>certified-green, renewed: one certificate to 2026-06-30, the next from 2026-07-01 to 2099; matches every day, under one of the two.</summary>
    RenewedSplit,

    /// <summary>certified-green, valid to 2026-06-30, then renewed as a suspended certificate: earns before the split and nothing after.</summary>
    SuspendedAfterSplit,

    /// <summary>Listed, but never matches from 2026 on: suspended, revoked or expired.</summary>
    NotEarning,
}

/// <summary>A product as the receipts sell it.</summary>
/// <param name="Gtin">As the list has it (8, 12, 13 or 14 digits); null for goods sold by SKU only.</param>
/// <param name="Weighed">Sold by weight or area: quantities with decimals.</param>
internal sealed record Product(string? Gtin, string Sku, string Name, ProductClass Class, decimal Price, bool Weighed);

internal sealed record GreenRow(
    string Gtin,
    string CertificateNumber,
    string ProductName,
    string Brand,
    string Model,
    string Category,
    string CertifiedCompany,
    DateOnly ValidFrom,
    DateOnly ValidTo,
    string Status);

internal sealed record LowVocRow(
    string Gtin,
    string ProductName,
    string Category,
    string Standard,
    string VocContent,
    string VocUnit,
    DateOnly ValidFrom,
    DateOnly ValidTo);

/// <summary>
/// The two sample product lists (lists-and-rules.md) and the products the receipts sell. Row counts are
/// those of the specification's reference samples (3,060 and 767 rows, 2,877 of the first valid), which
/// the tests name.
/// </summary>
internal sealed class Catalog
{
    public const int GreenRowCount = 3060;
    public const int LowVocRowCount = 767;

    /// <summary>Open-ended windows end here: "now" is inside them for any test run for decades.</summary>
    public static readonly DateOnly OpenEnd = new(2099, 12, 31);

    /// <summary>Renewed certificates of <see cref="ProductClass.RenewedSplit"/> change on this day.</summary>
    public static readonly DateOnly RenewalDay = new(2026, 7, 1);

    /// <summary>
    /// 安居实木衣柜, on both lists and valid on 2026-03-15: ClassificationIndexProviderTests names it and
    /// its certificate.
    /// </summary>
    public const string WardrobeGtin = "6988368595748";
    public const string WardrobeCertificate = "GP202688478314";

    /// <summary>禾木胶粘剂, on low-voc only: the first receipt of README.md sells it (248.00 → 124 points).</summary>
    public const string AdhesiveGtin = "6938699118802";

    // Certified-green rows by kind; they add up to GreenRowCount (the pairs are two rows each). Suspended:
    // 113 single + 4 on both lists + 5 renewals = 122; revoked: 51 single + 10 old certificates = 61.
    private const int RenewedSplitPairs = 30;
    private const int RenewedLongAgoPairs = 20;
    private const int RevokedThenRenewedPairs = 10;
    private const int SuspendedAfterSplitPairs = 5;
    private const int SingleSuspended = 113;
    private const int SingleRevoked = 51;
    private const int SingleExpired = 25;
    private const int PaddedGtin14 = 5;
    private const int CasePackGtin14 = 2;
    private const int HostileGreenNames = 34;

    // Products on both lists (besides the wardrobe): valid on both, suspended on green, renewed on green.
    private const int BothValid = 225;
    private const int BothButGreenSuspended = 4;
    private const int BothAndRenewedOnGreen = 4;

    // low-voc rows besides the shared products.
    private const int LowVocRenewedSplitPairs = 4;
    private const int LowVocRenewedLongAgoPairs = 3;
    private const int LowVocExpired = 5;
    private const int HostileLowVocNames = 8;

    private const int UnlistedProducts = 300;
    private const int UnlistedGtin8 = 10;
    private const int UnlistedGtin12 = 10;

    private static readonly string[] Brands = ["青禾", "森美", "绿源", "泉清", "净品", "禾木", "安居", "素朴", "松涛", "润家", "蓝湾"];

    /// <summary>The certified-green categories; those with a low-VOC counterpart can be on both lists.</summary>
    private static readonly GreenCategory[] GreenCategories =
    [
        new("人造板和木质地板", ["实木复合地板", "强化木地板", "竹地板", "细木工板", "多层实木地板"], "家居有限公司", 60, 380, Weighed: true, LowVoc: "胶粘剂"),
        new("涂料", ["水性木器漆", "内墙乳胶漆", "外墙涂料", "防水涂料", "儿童漆"], "涂料有限公司", 80, 600, Weighed: false, LowVoc: "建筑涂料"),
        new("卫生陶瓷", ["节水坐便器", "洗面盆", "蹲便器", "智能马桶盖"], "卫浴有限公司", 300, 1800, Weighed: false, LowVoc: null),
        new("家具", ["实木衣柜", "书桌", "餐桌", "儿童床", "办公椅"], "家居有限公司", 300, 2200, Weighed: false, LowVoc: "胶粘剂"),
        new("纺织产品", ["毛巾", "床上四件套", "纯棉T恤", "羊毛衫"], "纺织有限公司", 20, 600, Weighed: false, LowVoc: null),
        new("纸和纸制品", ["生活用纸", "复印纸", "卫生纸", "纸巾"], "纸业有限公司", 5, 120, Weighed: false, LowVoc: null),
        new("塑料制品", ["保鲜盒", "收纳箱", "可降解垃圾袋", "水杯"], "塑料制品有限公司", 5, 150, Weighed: false, LowVoc: null),
        new("洗涤用品", ["洗衣液", "洗洁精", "洗衣粉", "衣物柔顺剂"], "日化有限公司", 8, 90, Weighed: false, LowVoc: "清洗剂"),
        new("电器电子产品", ["一级能效冰箱", "变频空调", "滚筒洗衣机", "LED台灯", "电视机"], "电器有限公司", 150, 3200, Weighed: false, LowVoc: null),
    ];

    /// <summary>The low-VOC categories with the national standard each meets (lists-and-rules.md) and its unit.</summary>
    private static readonly LowVocCategory[] LowVocCategories =
    [
        new("建筑涂料", "GB 18582-2020", "g/L", ["水性墙面漆", "真石漆", "地坪涂料", "封闭底漆"], 5, 80, 60, 500),
        new("胶粘剂", "GB 33372-2020", "g/kg", ["胶粘剂", "瓷砖胶", "壁纸胶", "免钉胶"], 10, 100, 10, 120),
        new("油墨", "GB 38507-2020", "%", ["水性油墨", "大豆油墨", "UV油墨"], 1, 30, 20, 300),
        new("清洗剂", "GB 38508-2020", "g/L", ["水基清洗剂", "玻璃清洁剂", "厨房清洁剂", "除油剂"], 5, 50, 8, 80),
    ];

    /// <summary>
    /// Names a settlement CSV must neutralise (=, +, -, @, tab) or quote (comma, quote, line breaks,
    /// spaces at the ends) when it copies them from a list row.
    /// </summary>
    private static readonly string[] HostileNames =
    [
        "=HYPERLINK(\"http://x\")", "+cmd", "-1+1", "@SUM(A1)", "换行\n品名", "品名,含逗号", "引号\"品名\"",
        "第一行\r\n第二行", " 前后空格 ", "\t制表符开头",
    ];

    private static readonly string[] UnlistedNouns = ["矿泉水", "薯片", "牙刷", "五号电池", "酱油", "大米", "方便面", "卷尺", "插线板", "雨伞", "拖鞋", "饼干", "咖啡", "啤酒", "垃圾桶"];

    private static readonly (string Name, int MinPrice, int MaxPrice)[] LooseGoods =
    [
        ("散装大米", 3, 9), ("散装花生", 12, 25), ("称重苹果", 6, 15), ("称重香蕉", 4, 9), ("散装茶叶", 80, 400), ("散装红枣", 15, 40),
    ];

    private readonly SampleRandom _random;
    private readonly HashSet<string> _gtins = new(StringComparer.Ordinal) { WardrobeGtin, AdhesiveGtin };
    private readonly HashSet<string> _certificates = new(StringComparer.Ordinal) { WardrobeCertificate };
    private readonly HashSet<string> _skus = new(StringComparer.Ordinal);
    private readonly Dictionary<ProductClass, List<Product>> _products = Enum.GetValues<ProductClass>().ToDictionary(kind => kind, _ => new List<Product>());

    private Catalog(SampleRandom random) => _random = random;

    public List<GreenRow> Green { get; } = [];
    public List<LowVocRow> LowVoc { get; } = [];

    /// <summary>Products of certified-green and low-voc that earn and whose list name is hostile (settlement must neutralise it).</summary>
    public List<Product> HostileNamed { get; } = [];

    /// <summary>Goods without a GTIN, sold by SKU and weight.</summary>
    public List<Product> Loose { get; } = [];

    public IReadOnlyList<Product> Of(ProductClass kind) => _products[kind];

    public static Catalog Build(SampleRandom random)
    {
        var catalog = new Catalog(random);
        catalog.BuildGreenAndShared();
        catalog.BuildLowVocOnly();
        catalog.BuildUnlisted();
        catalog.Shuffle();
        return catalog;
    }

    private void BuildGreenAndShared()
    {
        // The wardrobe, exactly as ClassificationIndexProviderTests expects it.
        Green.Add(new GreenRow(WardrobeGtin, WardrobeCertificate, "安居实木衣柜", "安居", "M-9978", "家具", "安居家居有限公司", new DateOnly(2026, 1, 18), OpenEnd, Status.Valid));
        LowVoc.Add(new LowVocRow(WardrobeGtin, "安居实木衣柜", "胶粘剂", "GB 33372-2020", "93", "g/kg", new DateOnly(2025, 4, 13), OpenEnd));
        AddProduct(WardrobeGtin, "安居实木衣柜", ProductClass.BothLists, 2899.00m, weighed: false);

        var hostileLeft = HostileGreenNames;
        string NameFor(string name, bool earning)
        {
            if (earning && hostileLeft > 0 && _random.Percent(2))
            {
                hostileLeft--;
                return HostileNames[hostileLeft % HostileNames.Length];
            }

            return name;
        }

        // Products on both lists, valid on both.
        for (var index = 0; index < BothValid; index++)
        {
            var (row, category, price) = NewGreenRow(sharedOnly: true);
            row = row with { ProductName = NameFor(row.ProductName, earning: true) };
            Green.Add(row);
            LowVoc.Add(LowVocRowFor(row.Gtin, row.ProductName, category.LowVoc!, WideFrom(), OpenEnd));
            Remember(AddProduct(row.Gtin, row.ProductName, ProductClass.BothLists, price, category.Weighed));
        }

        // On both, but the green certificate is suspended: the low-VOC rate alone.
        for (var index = 0; index < BothButGreenSuspended; index++)
        {
            var (row, category, price) = NewGreenRow(sharedOnly: true);
            Green.Add(row with { Status = Status.Suspended });
            LowVoc.Add(LowVocRowFor(row.Gtin, row.ProductName, category.LowVoc!, WideFrom(), OpenEnd));
            AddProduct(row.Gtin, row.ProductName, ProductClass.LowVocOnly, price, category.Weighed);
        }

        // On both, the green certificate renewed on RenewalDay: both lists every day, under one of two certificates.
        for (var index = 0; index < BothAndRenewedOnGreen; index++)
        {
            var (row, category, price) = NewGreenRow(sharedOnly: true);
            AddPair(row, _random.Date(new DateOnly(2020, 1, 1), new DateOnly(2023, 6, 30)), RenewalDay.AddDays(-1), Status.Valid, RenewalDay, OpenEnd, Status.Valid);
            LowVoc.Add(LowVocRowFor(row.Gtin, row.ProductName, category.LowVoc!, WideFrom(), OpenEnd));
            AddProduct(row.Gtin, row.ProductName, ProductClass.BothLists, price, category.Weighed);
        }

        // Renewed on RenewalDay: the old certificate covers 2026-03-15, the new one today.
        for (var index = 0; index < RenewedSplitPairs; index++)
        {
            var (row, category, price) = NewGreenRow(sharedOnly: false);
            AddPair(row, _random.Date(new DateOnly(2020, 1, 1), new DateOnly(2023, 6, 30)), RenewalDay.AddDays(-1), Status.Valid, RenewalDay, OpenEnd, Status.Valid);
            AddProduct(row.Gtin, row.ProductName, ProductClass.RenewedSplit, price, category.Weighed);
        }

        // Renewed long ago: the expired certificate never matches now, the one after it does.
        for (var index = 0; index < RenewedLongAgoPairs; index++)
        {
            var (row, category, price) = NewGreenRow(sharedOnly: false);
            AddPair(row, _random.Date(new DateOnly(2016, 1, 1), new DateOnly(2016, 12, 31)), new DateOnly(2019, 12, 31), Status.Valid, new DateOnly(2020, 1, 1), OpenEnd, Status.Valid);
            AddProduct(row.Gtin, row.ProductName, ProductClass.GreenOnly, price, category.Weighed);
        }

        // Revoked, then certified again: the revoked row's window is over, the new row is valid.
        for (var index = 0; index < RevokedThenRenewedPairs; index++)
        {
            var (row, category, price) = NewGreenRow(sharedOnly: false);
            AddPair(row, _random.Date(new DateOnly(2018, 1, 1), new DateOnly(2019, 12, 31)), new DateOnly(2024, 12, 31), Status.Revoked, new DateOnly(2025, 1, 1), OpenEnd, Status.Valid);
            AddProduct(row.Gtin, row.ProductName, ProductClass.GreenOnly, price, category.Weighed);
        }

        // Valid until RenewalDay, then renewed as a suspended certificate.
        for (var index = 0; index < SuspendedAfterSplitPairs; index++)
        {
            var (row, category, price) = NewGreenRow(sharedOnly: false);
            AddPair(row, _random.Date(new DateOnly(2020, 1, 1), new DateOnly(2023, 6, 30)), RenewalDay.AddDays(-1), Status.Valid, RenewalDay, OpenEnd, Status.Suspended);
            AddProduct(row.Gtin, row.ProductName, ProductClass.SuspendedAfterSplit, price, category.Weighed);
        }

        foreach (var (count, status, expired) in new[] { (SingleSuspended, Status.Suspended, false), (SingleRevoked, Status.Revoked, false), (SingleExpired, Status.Valid, true) })
        {
            for (var index = 0; index < count; index++)
            {
                var (row, category, price) = NewGreenRow(sharedOnly: false);
                if (expired)
                {
                    // Three years, ended before 2026: valid, and matching nothing the tests post.
                    var from = _random.Date(new DateOnly(2017, 1, 1), new DateOnly(2022, 12, 31));
                    row = row with { ValidFrom = from, ValidTo = from.AddYears(3).AddDays(-1) };
                }

                Green.Add(row with { Status = status });
                AddProduct(row.Gtin, row.ProductName, ProductClass.NotEarning, price, category.Weighed);
            }
        }

        // A GTIN-13 written in its 14-digit form, and case packs with a GTIN-14 of their own: receipts
        // carry the 13 or 14 digits, and both compare in the 14-digit form.
        for (var index = 0; index < PaddedGtin14 + CasePackGtin14; index++)
        {
            var (row, category, price) = NewGreenRow(sharedOnly: false);
            var gtin = index < PaddedGtin14 ? "0" + row.Gtin : NewGtin("1" + _random.Digits(12));
            Green.Add(row with { Gtin = gtin });
            AddProduct(gtin, row.ProductName, ProductClass.GreenOnly, price, category.Weighed);
        }

        // The rest: valid, one window to 2099.
        while (Green.Count < GreenRowCount)
        {
            var (row, category, price) = NewGreenRow(sharedOnly: false);
            row = row with { ProductName = NameFor(row.ProductName, earning: true) };
            Green.Add(row);
            Remember(AddProduct(row.Gtin, row.ProductName, ProductClass.GreenOnly, price, category.Weighed));
        }

        if (Green.Count != GreenRowCount || hostileLeft != 0)
        {
            throw new InvalidOperationException($"certified-green has {Green.Count} rows and {HostileGreenNames - hostileLeft} hostile names.");
        }
    }

    private void BuildLowVocOnly()
    {
        LowVoc.Add(new LowVocRow(AdhesiveGtin, "禾木胶粘剂", "胶粘剂", "GB 33372-2020", "81", "g/kg", new DateOnly(2026, 1, 15), OpenEnd));
        AddProduct(AdhesiveGtin, "禾木胶粘剂", ProductClass.LowVocOnly, 129.00m, weighed: false);

        for (var index = 0; index < LowVocRenewedSplitPairs + LowVocRenewedLongAgoPairs; index++)
        {
            var (row, price) = NewLowVocRow();
            var (oldFrom, oldTo, newFrom) = index < LowVocRenewedSplitPairs
                ? (_random.Date(new DateOnly(2020, 1, 1), new DateOnly(2023, 6, 30)), RenewalDay.AddDays(-1), RenewalDay)
                : (_random.Date(new DateOnly(2016, 1, 1), new DateOnly(2016, 12, 31)), new DateOnly(2019, 12, 31), new DateOnly(2020, 1, 1));

            // The renewal first on the list now and then: the validator must not depend on row order.
            var renewal = row with { ValidFrom = newFrom, ValidTo = OpenEnd };
            var old = row with { ValidFrom = oldFrom, ValidTo = oldTo };
            LowVoc.AddRange(index % 2 == 0 ? [old, renewal] : [renewal, old]);
            AddProduct(row.Gtin, row.ProductName, ProductClass.LowVocOnly, price, weighed: false);
        }

        for (var index = 0; index < LowVocExpired; index++)
        {
            var (row, price) = NewLowVocRow();
            var from = _random.Date(new DateOnly(2017, 1, 1), new DateOnly(2022, 12, 31));
            LowVoc.Add(row with { ValidFrom = from, ValidTo = from.AddYears(3).AddDays(-1) });
            AddProduct(row.Gtin, row.ProductName, ProductClass.NotEarning, price, weighed: false);
        }

        var hostileLeft = HostileLowVocNames;
        while (LowVoc.Count < LowVocRowCount)
        {
            var (row, price) = NewLowVocRow();
            if (hostileLeft > 0 && _random.Percent(5))
            {
                hostileLeft--;
                row = row with { ProductName = HostileNames[hostileLeft % HostileNames.Length] };
            }

            LowVoc.Add(row);
            Remember(AddProduct(row.Gtin, row.ProductName, ProductClass.LowVocOnly, price, weighed: false));
        }

        if (LowVoc.Count != LowVocRowCount || hostileLeft != 0)
        {
            throw new InvalidOperationException($"low-voc has {LowVoc.Count} rows and {HostileLowVocNames - hostileLeft} hostile names.");
        }
    }

    private void BuildUnlisted()
    {
        for (var index = 0; index < UnlistedProducts; index++)
        {
            // A few GTIN-8 and GTIN-12 among them: tills send every GS1 length.
            var gtin = index < UnlistedGtin8 ? NewGtin("69" + _random.Digits(5))
                : index < UnlistedGtin8 + UnlistedGtin12 ? NewGtin("6" + _random.Digits(10))
                : NewGtin13();
            var name = _random.Pick(Brands) + _random.Pick(UnlistedNouns);
            AddProduct(gtin, name, ProductClass.Unlisted, Money(_random.Next(150, 8000)), weighed: false);
        }

        foreach (var (name, minPrice, maxPrice) in LooseGoods)
        {
            var product = new Product(null, NewSku("散装-"), name, ProductClass.Unlisted, Money(_random.Next(minPrice * 100, maxPrice * 100)), Weighed: true);
            Loose.Add(product);
        }
    }

    /// <summary>Rows in no particular order, as lists come; the last stays a plain one-line row (ProductListPublisherTests breaks its GTIN).</summary>
    private void Shuffle()
    {
        _random.Shuffle(Green);
        _random.Shuffle(LowVoc);
        var plain = Green.FindLastIndex(row => row.Gtin.Length == 13 && !HostileNames.Contains(row.ProductName));
        (Green[plain], Green[^1]) = (Green[^1], Green[plain]);
    }

    private (GreenRow Row, GreenCategory Category, decimal Price) NewGreenRow(bool sharedOnly)
    {
        var categories = sharedOnly ? GreenCategories.Where(category => category.LowVoc is not null).ToArray() : GreenCategories;
        var category = _random.Pick(categories);
        var brand = _random.Pick(Brands);
        var from = WideFrom();
        var row = new GreenRow(
            NewGtin13(),
            NewCertificate(from.Year),
            brand + _random.Pick(category.Nouns),
            brand,
            "M-" + _random.Digits(4),
            category.Name,
            brand + category.CompanySuffix,
            from,
            OpenEnd,
            Status.Valid);
        return (row, category, Money(_random.Next(category.MinPrice * 100, category.MaxPrice * 100)));
    }

    private (LowVocRow Row, decimal Price) NewLowVocRow()
    {
        var category = _random.Pick(LowVocCategories);
        var name = _random.Pick(Brands) + _random.Pick(category.Nouns);
        return (LowVocRowFor(NewGtin13(), name, category.Name, WideFrom(), OpenEnd), Money(_random.Next(category.MinPrice * 100, category.MaxPrice * 100)));
    }

    private LowVocRow LowVocRowFor(string gtin, string name, string categoryName, DateOnly from, DateOnly to)
    {
        var category = LowVocCategories.Single(candidate => candidate.Name == categoryName);
        // Mostly whole numbers, now and then one decimal, as test reports give them.
        var content = _random.Next(category.MinVoc, category.MaxVoc + 1).ToString(CultureInfo.InvariantCulture)
            + (_random.Percent(15) ? "." + _random.Digits(1) : "");
        return new LowVocRow(gtin, name, category.Name, category.Standard, content, category.Unit, from, to);
    }

    /// <summary>Two rows of one GTIN with consecutive windows, each with its own certificate, the newer one listed first now and then.</summary>
    private void AddPair(GreenRow row, DateOnly oldFrom, DateOnly oldTo, string oldStatus, DateOnly newFrom, DateOnly newTo, string newStatus)
    {
        var old = row with { CertificateNumber = NewCertificate(oldFrom.Year), ValidFrom = oldFrom, ValidTo = oldTo, Status = oldStatus };
        var renewal = row with { CertificateNumber = NewCertificate(newFrom.Year), ValidFrom = newFrom, ValidTo = newTo, Status = newStatus };
        Green.AddRange(_random.Percent(50) ? [old, renewal] : [renewal, old]);
    }

    private Product AddProduct(string gtin, string name, ProductClass kind, decimal price, bool weighed)
    {
        var product = new Product(gtin, NewSku("SKU"), name, kind, price, weighed);
        _products[kind].Add(product);
        return product;
    }

    private void Remember(Product product)
    {
        if (HostileNames.Contains(product.Name))
        {
            HostileNamed.Add(product);
        }
    }

    /// <summary>Most certificates started between 2019 and 2025 and run to 2099: they cover 2026-03-15 and every day the tests run on.</summary>
    private DateOnly WideFrom() => _random.Date(new DateOnly(2019, 1, 1), new DateOnly(2025, 12, 31));

    private string NewGtin13() => NewGtin("69" + _random.Digits(10));

    private string NewGtin(string withoutCheckDigit)
    {
        var gtin = withoutCheckDigit + CheckDigit(withoutCheckDigit);
        return _gtins.Add(gtin) ? gtin : NewGtin(withoutCheckDigit[..^1] + _random.Digits(1));
    }

    private string NewCertificate(int year)
    {
        var number = "GP" + year.ToString(CultureInfo.InvariantCulture) + _random.Digits(8);
        return _certificates.Add(number) ? number : NewCertificate(year);
    }

    private string NewSku(string prefix)
    {
        var sku = prefix + _random.Digits(6);
        return _skus.Add(sku) ? sku : NewSku(prefix);
    }

    private static decimal Money(int fen) => fen / 100m;

    /// <summary>The GS1 mod-10 check digit: weights 3, 1, 3 … from the right.</summary>
    public static char CheckDigit(string digits)
    {
        var sum = 0;
        for (var position = 0; position < digits.Length; position++)
        {
            var digit = digits[digits.Length - 1 - position] - '0';
            sum += position % 2 == 0 ? digit * 3 : digit;
        }

        return (char)('0' + ((10 - (sum % 10)) % 10));
    }

    public static class Status
    {
        public const string Valid = "valid";
        public const string Suspended = "suspended";
        public const string Revoked = "revoked";
    }

    private sealed record GreenCategory(string Name, string[] Nouns, string CompanySuffix, int MinPrice, int MaxPrice, bool Weighed, string? LowVoc);

    private sealed record LowVocCategory(string Name, string Standard, string Unit, string[] Nouns, int MinVoc, int MaxVoc, int MinPrice, int MaxPrice);
}
