namespace PosGreenPoints.Functions.Infrastructure;

/// <summary>Every container, queue and table the app uses, in one place (infra/ creates the same names).</summary>
public static class StorageNames
{
    public static class Tables
    {
        public const string Receipts = "Receipts";
        public const string Clients = "Clients";
        public const string Chains = "Chains";
        public const string Ledger = "Ledger";
        public const string Members = "Members";

        /// <summary>Member codes by hash, and failed code look-ups per client and minute (redemption.md).</summary>
        public const string MemberCodes = "MemberCodes";

        /// <summary>Which member a chain's redemption id belongs to: the way from a commit's route to the member's partition.</summary>
        public const string Redemptions = "Redemptions";

        /// <summary>Low-carbon service activities, as posted (activities.md).</summary>
        public const string Activities = "Activities";
    }

    public static class Queues
    {
        /// <summary>Receipts accepted and waiting to be scored.</summary>
        public const string ReceiptsToScore = "receipts-to-score";

        /// <summary>Integration events, when no Service Bus is configured.</summary>
        public const string Events = "greenpoints-events";
    }

    public static class Containers
    {
        /// <summary>Receipt bodies too large for a table property (claim check).</summary>
        public const string Receipts = "receipts";

        /// <summary>Published product-list versions (immutable) and each list's current-version pointer.</summary>
        public const string ProductLists = "product-lists";

        /// <summary>Product-list CSVs uploaded through a SAS URL, waiting to be published.</summary>
        public const string ProductListsIncoming = "product-lists-incoming";

        /// <summary>Settlement files and their manifests, per chain and posting day (settlement.md); immutable once published.</summary>
        public const string Settlements = "settlements";

        /// <summary>Clearing files and manifests per chain and clearing day, and the scheme's day reports (clearing.md); immutable once published.</summary>
        public const string Clearing = "clearing";
    }
}
