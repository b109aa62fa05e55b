using System.Globalization;

namespace PosGreenPoints.SampleData;

internal sealed record SampleLine(
    int LineNumber,
    string? Gtin,
    string? Sku,
    string? Description,
    decimal Quantity,
    decimal UnitPrice,
    decimal Discount,
    decimal Amount,
    int? OriginalLineNumber = null);

internal sealed record OriginalReference(string StoreId, string TerminalId, string ReceiptNumber, DateTimeOffset IssuedAt);

internal sealed record SampleReceipt(
    string StoreId,
    string TerminalId,
    string ReceiptNumber,
    DateTimeOffset IssuedAt,
    string Type,
    string? MemberId,
    OriginalReference? OriginalReceipt,
    IReadOnlyList<SampleLine> Lines)
{
    public decimal Total => Lines.Sum(line => line.Amount);
}

/// <summary>
/// The 200 sample receipts of chain <c>demo-chain</c>, issued on 2026-03-15 (+08:00) from 08:00 in steps of
/// 3 minutes (SampleReceiptsTests counts how many lie after a given time). 22 have no lines, which the
/// contract refuses (1–500 lines), 12 are returns of sales earlier in the file, the rest are sales. The
/// cases the tests and the docs rely on have fixed places (<see cref="Build"/>); the other sales are drawn
/// from the catalog.
/// </summary>
internal sealed class Receipts
{
    public const string ChainId = "demo-chain";
    public const int Count = 200;
    public const int WithoutLines = 22;

    /// <summary>Reaches the member daily cap (20,000) with five receipts capped at 5,000 each.</summary>
    public const string CappedMember = "GMDAYCAP01";

    /// <summary>Reaches the member daily cap exactly with four receipts of 5,000, then one more receipt.</summary>
    public const string ExactlyCappedMember = "GMDAYCAP02";

    public static readonly DateTimeOffset FirstIssuedAt = new(2026, 3, 15, 8, 0, 0, TimeSpan.FromHours(8));
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(3);

    private const int MemberPoolSize = 38;

    private static readonly int[] CappedSlots = [60, 75, 90, 105, 120];
    private static readonly int[] ExactlyCappedSlots = [62, 77, 92, 107];
    private const string ServiceDeskStore = "SH-0001";
    private const string ServiceDeskTerminal = "POS-05";

    private static readonly string[] Stores = ["SH-0001", "SH-0002", "SH-0003", "SH-0004", "SH-0005", "SH-0006", "SH-0007", "SH-0008"];
    private static readonly string[] Terminals = ["POS-01", "POS-02", "POS-03", "POS-04", "POS-05"];

    /// <summary>Descriptions a till may send for goods on no list; they reach no settlement row, but a receipt view shows them.</summary>
    private static readonly string[] HostileDescriptions = ["=HYPERLINK(\"http://x\")", "+cmd", "-1+1", "@SUM(A1)"];

    private readonly SampleRandom _random;
    private readonly Catalog _catalog;
    private readonly string[] _members;
    private readonly SampleReceipt?[] _slots = new SampleReceipt?[Count];

    /// <summary>Per original receipt number and line: the quantity and amount its returns so far took back.</summary>
    private readonly Dictionary<(string Receipt, int Line), (decimal Quantity, decimal Amount)> _returned = [];

    private Receipts(SampleRandom random, Catalog catalog)
    {
        _random = random;
        _catalog = catalog;
        _members = Enumerable.Range(0, MemberPoolSize).Select(_ => "GM" + random.NextUInt64().ToString("X16", CultureInfo.InvariantCulture)[..8]).Distinct().ToArray();
    }

    public static IReadOnlyList<SampleReceipt> Build(SampleRandom random, Catalog catalog) => new Receipts(random, catalog).Build();

    private List<SampleReceipt> Build()
    {
        // Sales that returns later in the day take back, each with the case it is for.
        var fullReturn = Sale(12, Member(), Line(ProductClass.BothLists, 1));
        var partialReturn = Sale(20, Member(), Line(ProductClass.GreenOnly, 3), Line(ProductClass.Unlisted, 1));
        var twoReturns = Sale(28, Member(), Line(ProductClass.LowVocOnly, 3), Line(ProductClass.GreenOnly, 1));
        var weighedReturn = Sale(35, Member(), WeighedLine(2.395m));
        var discountedReturn = Sale(41, Member(), Line(ProductClass.BothLists, 2, discountPercent: 10), Line(ProductClass.Unlisted, 1), Line(ProductClass.GreenOnly, 1));
        var unlistedReturn = Sale(52, Member(), Line(ProductClass.Unlisted, 2), Line(ProductClass.GreenOnly, 1));
        var anonymousReturn = Sale(58, Member(), Line(ProductClass.GreenOnly, 2));
        // Sold at SH-0005, taken back at another store's service desk.
        var serviceDeskReturn = _slots[67] = Sale(67, Member(), Line(ProductClass.BothLists, 1), Line(ProductClass.LowVocOnly, 2)) with { StoreId = "SH-0005" };
        var otherMemberReturn = Sale(73, Member(), Line(ProductClass.GreenOnly, 1));
        var multiLineReturn = Sale(80, Member(), Line(ProductClass.RenewedSplit, 1), Line(ProductClass.Unlisted, 1), Line(ProductClass.BothLists, 2));

        // The member daily cap: five receipts over the receipt cap (5 × 5,000 against 20,000), and four of
        // exactly 5,000 followed by a small one.
        var capped = CappedSlots.Select(slot => Sale(slot, CappedMember, Priced(ProductClass.BothLists, 1, 3899.00m))).ToList();
        foreach (var slot in ExactlyCappedSlots)
        {
            Sale(slot, ExactlyCappedMember, Priced(ProductClass.GreenOnly, 2, 2500.00m));
        }

        Sale(122, ExactlyCappedMember, Priced(ProductClass.GreenOnly, 1, 120.00m));

        // The receipt cap crossing inside a receipt: 3,000 + 2,500 cut to 2,000 + 200 cut to 0.
        foreach (var (slot, member) in new[] { (45, (string?)null), (130, Member()) })
        {
            Sale(slot, member, Priced(ProductClass.BothLists, 2, 1000.00m), Priced(ProductClass.GreenOnly, 1, 2500.00m), Priced(ProductClass.LowVocOnly, 1, 400.00m));
        }

        Return(150, fullReturn, fullReturn.MemberId, (1, 1m));
        Return(152, partialReturn, partialReturn.MemberId, (1, 1m));
        Return(156, twoReturns, twoReturns.MemberId, (1, 1m));
        Return(158, weighedReturn, weighedReturn.MemberId, (1, 1.2m));
        Return(162, discountedReturn, discountedReturn.MemberId, (1, 2m));
        Return(166, unlistedReturn, unlistedReturn.MemberId, (1, 2m));
        Return(170, twoReturns, twoReturns.MemberId, (1, 2m));
        Return(174, anonymousReturn, null, (1, 1m));
        Return(178, serviceDeskReturn, serviceDeskReturn.MemberId, atServiceDesk: true, (2, 2m));
        Return(182, otherMemberReturn, _members.First(member => member != otherMemberReturn.MemberId), (1, 1m));
        Return(186, multiLineReturn, multiLineReturn.MemberId, (3, 2m), (1, 1m));
        Return(190, capped[0], CappedMember, (1, 1m));

        var free = Enumerable.Range(0, Count).Where(slot => _slots[slot] is null).ToList();
        _random.Shuffle(free);
        foreach (var slot in free.Take(WithoutLines))
        {
            _slots[slot] = Receipt(slot, "sale", MaybeMember(), null, []);
        }

        foreach (var slot in free.Skip(WithoutLines))
        {
            RandomSale(slot);
        }

        return _slots.Select(receipt => receipt!).ToList();
    }

    private void RandomSale(int slot)
    {
        var count = _random.Pick(LineCounts);
        var lines = new List<LineDraft>();
        for (var index = 0; index < count; index++)
        {
            var kind = _random.Next(100);
            lines.Add(kind switch
            {
                < 28 => RandomLine(ProductClass.Unlisted),
                < 48 => RandomLine(ProductClass.GreenOnly),
                < 60 => RandomLine(ProductClass.LowVocOnly),
                < 72 => RandomLine(ProductClass.BothLists),
                < 78 => RandomLine(ProductClass.RenewedSplit),
                < 80 => RandomLine(ProductClass.SuspendedAfterSplit),
                < 86 => RandomLine(ProductClass.NotEarning),
                < 92 => LooseLine(),
                _ => HostileLine(),
            });
        }

        Sale(slot, MaybeMember(), [.. lines]);
    }

    /// <summary>Line counts as the reference samples have them: one to seven, three and four the most common.</summary>
    private static readonly int[] LineCounts = [1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6, 6, 7, 7];

    private SampleReceipt Sale(int slot, string? memberId, params LineDraft[] drafts)
    {
        var lines = drafts.Select((draft, index) => draft.ToLine(index + 1)).ToList();
        var receipt = Receipt(slot, "sale", memberId, null, lines);
        _slots[slot] = receipt;
        return receipt;
    }

    /// <summary>
    /// A return of lines of <paramref name="sale"/> (lists-and-rules.md, Returns): each line is the original
    /// line coming back, its GTIN, SKU and price; its amount at most the original amount × returned ÷ bought,
    /// to the fen and cumulatively over every return of that line, the rest shown as discount.
    /// </summary>
    private void Return(int slot, SampleReceipt sale, string? memberId, params (int OriginalLine, decimal Quantity)[] returned) =>
        Return(slot, sale, memberId, atServiceDesk: false, returned);

    private void Return(int slot, SampleReceipt sale, string? memberId, bool atServiceDesk, params (int OriginalLine, decimal Quantity)[] returned)
    {
        var lines = new List<SampleLine>();
        foreach (var (originalLineNumber, quantity) in returned)
        {
            var original = sale.Lines.Single(line => line.LineNumber == originalLineNumber);
            var key = (sale.ReceiptNumber, originalLineNumber);
            var (earlierQuantity, earlierAmount) = _returned.GetValueOrDefault(key);
            var cumulative = earlierQuantity + quantity;
            if (cumulative > original.Quantity)
            {
                throw new InvalidOperationException($"The returns of {sale.ReceiptNumber} line {originalLineNumber} would take back more than was bought.");
            }

            // Truncated to the fen, so that it is within the bound however the bound is rounded.
            var bound = decimal.Floor(original.Amount * cumulative / original.Quantity * 100m) / 100m - earlierAmount;
            var gross = RoundMoney(quantity * original.UnitPrice);
            var amount = Math.Min(gross, bound);
            lines.Add(new SampleLine(lines.Count + 1, original.Gtin, original.Sku, original.Description, quantity, original.UnitPrice, gross - amount, amount, originalLineNumber));
            _returned[key] = (cumulative, earlierAmount + amount);
        }

        // A service desk takes back what another store sold.
        var (store, terminal) = atServiceDesk ? (ServiceDeskStore, ServiceDeskTerminal) : (sale.StoreId, sale.TerminalId);
        var reference = new OriginalReference(sale.StoreId, sale.TerminalId, sale.ReceiptNumber, sale.IssuedAt);
        _slots[slot] = Receipt(slot, "return", memberId, reference, lines) with { StoreId = store, TerminalId = terminal };
    }

    private SampleReceipt Receipt(int slot, string type, string? memberId, OriginalReference? original, IReadOnlyList<SampleLine> lines)
    {
        if (_slots[slot] is not null)
        {
            throw new InvalidOperationException($"Slot {slot} is taken twice.");
        }

        return new SampleReceipt(
            _random.Pick(Stores),
            _random.Pick(Terminals),
            $"20260315-{slot:D6}",
            FirstIssuedAt + (Step * slot),
            type,
            memberId,
            original,
            lines);
    }

    /// <summary>A line of a product of <paramref name="kind"/> sold by the piece, so that a return can take back whole units of it.</summary>
    private LineDraft Line(ProductClass kind, decimal quantity, int discountPercent = 0)
    {
        var product = _random.Pick(_catalog.Of(kind).Where(candidate => !candidate.Weighed).ToList());
        return Draft(product, quantity, product.Price, discountPercent);
    }

    private LineDraft RandomLine(ProductClass kind)
    {
        var product = _random.Pick(_catalog.Of(kind));
        return Draft(product, product.Weighed ? Weighed() : Quantity(), product.Price, 0);
    }

    /// <summary>
    /// A line of a product of <paramref name="kind"/> at a set price, without discount: a case whose points
    /// are known. The product is one whose own price is not far below it (a wardrobe, not a towel, at 3,899).
    /// </summary>
    private LineDraft Priced(ProductClass kind, decimal quantity, decimal unitPrice)
    {
        var product = _random.Pick(_catalog.Of(kind).Where(candidate => !candidate.Weighed && candidate.Price * 3 >= unitPrice).ToList());
        return new LineDraft(product.Gtin, product.Sku, product.Name, quantity, unitPrice, 0m);
    }

    private LineDraft WeighedLine(decimal quantity)
    {
        var product = _random.Pick(_catalog.Of(ProductClass.GreenOnly).Concat(_catalog.Of(ProductClass.BothLists)).Where(candidate => candidate.Weighed).ToList());
        return new LineDraft(product.Gtin, product.Sku, product.Name, quantity, product.Price, 0m);
    }

    /// <summary>Goods without a GTIN, sold by SKU and weight: they match nothing (no SKU mapping yet).</summary>
    private LineDraft LooseLine()
    {
        var product = _random.Pick(_catalog.Loose);
        return new LineDraft(null, product.Sku, product.Name, Weighed(), product.Price, 0m);
    }

    /// <summary>A product whose list name is hostile, or goods on no list with a hostile description.</summary>
    private LineDraft HostileLine()
    {
        if (_random.Percent(60))
        {
            var product = _random.Pick(_catalog.HostileNamed);
            return Draft(product, product.Weighed ? Weighed() : Quantity(), product.Price, 0);
        }

        var unlisted = _random.Pick(_catalog.Of(ProductClass.Unlisted));
        return new LineDraft(unlisted.Gtin, unlisted.Sku, _random.Pick(HostileDescriptions), Quantity(), unlisted.Price, 0m);
    }

    /// <summary>What a till sends for a product: mostly GTIN, SKU and name; now and then without one of them, or the GTIN in its 14-digit form.</summary>
    private LineDraft Draft(Product product, decimal quantity, decimal unitPrice, int discountPercent)
    {
        var gtin = product.Gtin;
        if (gtin is { Length: 13 } && product.Class != ProductClass.Unlisted && _random.Percent(4))
        {
            gtin = "0" + gtin;
        }

        var sku = gtin is not null && _random.Percent(8) ? null : product.Sku;
        var description = _random.Percent(5) ? null : product.Name;
        if (discountPercent == 0 && _random.Percent(25))
        {
            discountPercent = _random.Next(5, 21);
        }

        var discount = RoundMoney(RoundMoney(quantity * unitPrice) * discountPercent / 100m);
        return new LineDraft(gtin, sku, description, quantity, unitPrice, discount);
    }

    private decimal Quantity() => _random.Next(100) switch
    {
        < 60 => 1m,
        < 85 => 2m,
        _ => 3m,
    };

    /// <summary>Kilograms or square metres, to the gram: three decimals, the most the contract allows.</summary>
    private decimal Weighed() => _random.Next(100, 10_000) / 1000m;

    private string Member() => _random.Pick(_members);

    /// <summary>About 70 % of receipts name a member; some members come back often, most now and then.</summary>
    private string? MaybeMember() => _random.Percent(70) ? _members[Math.Min(_random.Next(_members.Length), _random.Next(_members.Length))] : null;

    /// <summary>Commercial rounding to the fen (四舍五入), as the contract computes amounts.</summary>
    public static decimal RoundMoney(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    /// <summary>A line before it has its number: amount = round(quantity × unitPrice, 2) − discount.</summary>
    private sealed record LineDraft(string? Gtin, string? Sku, string? Description, decimal Quantity, decimal UnitPrice, decimal Discount)
    {
        public SampleLine ToLine(int lineNumber) =>
            new(lineNumber, Gtin, Sku, Description, Quantity, UnitPrice, Discount, RoundMoney(Quantity * UnitPrice) - Discount);
    }
}
