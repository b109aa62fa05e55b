namespace PosGreenPoints.Contracts.Members;

/// <summary>The body of <c>POST /api/v1/admin/wallets/migrate</c>.</summary>
/// <param name="Migrated">Members whose balance, posted before wallets existed, this call moved into lots (0 when run again).</param>
public sealed record WalletMigrationResult(int Migrated);
