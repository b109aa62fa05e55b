// Skeleton of the PosGreenPoints infrastructure: storage, identity and monitoring only.
// The Function App, Service Bus, Key Vault, role assignments and alerts follow in the operations work.
targetScope = 'resourceGroup'

@description('Azure region for every resource; defaults to the resource group\'s region.')
param location string = resourceGroup().location

@description('Short name of the environment (for example dev, test, prod); part of every resource name.')
@minLength(1)
@maxLength(20)
param environmentName string

@description('Tags applied to every resource.')
param tags object = {}

var suffix = uniqueString(resourceGroup().id, environmentName)

var blobContainerNames = [
  'receipts'
  'product-lists'
  'product-lists-incoming'
  'settlements'
]

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' = {
  name: 'st${suffix}'
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

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-${environmentName}-${suffix}'
  location: location
  tags: tags
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2026-03-01' = {
  name: 'log-${environmentName}-${suffix}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${environmentName}-${suffix}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
  }
}

output storageAccountName string = storage.name
output identityClientId string = identity.properties.clientId
output appInsightsName string = appInsights.name
