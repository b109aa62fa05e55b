namespace PosGreenPoints.Functions.Infrastructure;

/// <summary>Every container, queue and table the app uses, in one place (infra/ creates the same names).</summary>
public static class StorageNames
{
    public static class Tables
    {
        public const string Receipts = "Receipts";
        public const string Clients = "Clients";
        public const string Chains = "Chains";
    }

    public static class Queues
    {
        /// <summary>Receipts accepted and waiting to be scored.</summary>
        public const string ReceiptsToScore = "receipts-to-score";
    }

    public static class Containers
    {
        /// <summary>Receipt bodies too large for a table property (claim check).</summary>
        public const string Receipts = "receipts";
    }
}
