// The app's storage account: every table, queue and container the app uses (StorageNames.cs; a unit
// test keeps the two in step), the Flex Consumption deployment container, and the data-plane roles of
// the app's managed identity. No account key is usable: shared key access is off, so every client,
// the Functions host included, authenticates with Entra ID.

@description('Azure region of the account.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Globally unique storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param storageAccountName string

@description('Blob container that Flex Consumption deploys the app package to.')
param deploymentContainerName string

@description('Name of the Function App\'s user-assigned managed identity (in this resource group).')
param identityName string

// Names from functions/PosGreenPoints.Functions/Infrastructure/StorageNames.cs.
var tableNames = [
  'Receipts'
  'Clients'
  'Chains'
  'Ledger'
  'Members'
  'MemberCodes'
  'Redemptions'
  'Activities'
]

// The Functions host moves a message to '<queue>-poison' after maxDequeueCount (host.json: 5) failures;
// created here so that the poison alert and the replay endpoint find it before the first failure.
var queueNames = [
  'receipts-to-score'
  'receipts-to-score-poison'
  'greenpoints-events'
]

var blobContainerNames = [
  'receipts'
  'product-lists'
  'product-lists-incoming'
  'settlements'
  'clearing'
  deploymentContainerName
]

// Built-in role definition ids (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
var roles = {
  // Owner rather than Contributor: the Functions host's identity-based AzureWebJobsStorage connection is
  // documented to need Storage Blob Data Owner (it keeps timer/singleton leases and host keys in its own
  // containers and manages them), and Flex Consumption reads the deployment package with this identity.
  // Contributor already covers the app's own blobs and the user delegation key behind the product-list
  // upload SAS; Owner adds only POSIX ACL management, which this (non-hierarchical) account does not have.
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  // Send, peek, receive, delete (the queue trigger, the scoring queue, the poison replay) and create.
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2026-06-01' = {
  parent: storage
  name: 'default'
  properties: {
    // Settlement files and product-list versions are immutable records: a deleted blob or container
    // can be restored for a week.
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource blobContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2026-06-01' = [
  for name in blobContainerNames: {
    parent: blobService
    name: name
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2026-06-01' = {
  parent: storage
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2026-06-01' = [
  for name in queueNames: {
    parent: queueService
    name: name
  }
]

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2026-06-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2026-06-01' = [
  for name in tableNames: {
    parent: tableService
    name: name
  }
]

resource roleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in items(roles): {
    scope: storage
    name: guid(storage.id, identity.id, roleId.value)
    properties: {
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId.value)
    }
  }
]

output id string = storage.id
output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output queueEndpoint string = storage.properties.primaryEndpoints.queue
output tableEndpoint string = storage.properties.primaryEndpoints.table
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
