// The app's two secrets. RBAC authorization (no access policies), soft delete and purge protection;
// the app's identity may read secrets and nothing else. The values come from @secure() parameters of
// the deployment, so they are never in a parameters file, an output or the deployment history.

@description('Azure region of the vault.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Name of the Key Vault (3-24 characters).')
@minLength(3)
@maxLength(24)
param keyVaultName string

@description('Name of the Function App\'s user-assigned managed identity (in this resource group).')
param identityName string

@secure()
@description('Auth:BootstrapOperatorKey, the configured operator key (at least 32 characters).')
@minLength(32)
param bootstrapOperatorKey string

@secure()
@description('Settlement:HmacKey, the key of the member pseudonym member_ref (at least 32 characters).')
@minLength(32)
param settlementHmacKey string

// Key Vault Secrets User.
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource vault 'Microsoft.KeyVault/vaults@2026-02-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource bootstrapOperatorKeySecret 'Microsoft.KeyVault/vaults/secrets@2026-02-01' = {
  parent: vault
  name: 'bootstrap-operator-key'
  properties: {
    value: bootstrapOperatorKey
    contentType: 'text/plain'
  }
}

resource settlementHmacKeySecret 'Microsoft.KeyVault/vaults/secrets@2026-02-01' = {
  parent: vault
  name: 'settlement-hmac-key'
  properties: {
    value: settlementHmacKey
    contentType: 'text/plain'
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: vault
  name: guid(vault.id, identity.id, keyVaultSecretsUser)
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
  }
}

output id string = vault.id
output name string = vault.name
output uri string = vault.properties.vaultUri
// Versionless secret URIs: a Key Vault reference to one follows rotation (the app picks the new
// version up within a day, or at once on restart). A URI is not the secret.
output bootstrapOperatorKeySecretUri string = bootstrapOperatorKeySecret.properties.secretUri
output settlementHmacKeySecretUri string = settlementHmacKeySecret.properties.secretUri
