namespace PosGreenPoints.Contracts.Receipts;

/// <summary>The values of a receipt's <c>type</c>: it gives the direction of quantities, amounts and points.</summary>
public static class ReceiptTypes
{
    public const string Sale = "sale";
    public const string Return = "return";
}
