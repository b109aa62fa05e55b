// The Function App on the Flex Consumption plan (FC1, Linux, .NET isolated). Every connection is
// identity-based through the user-assigned managed identity: storage (the host and the app),
// Service Bus, Application Insights ingestion, Key Vault references. No app setting holds a key.

@description('Azure region of the plan and the app.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Name of the Flex Consumption plan.')
param planName string

@description('Name of the Function App (globally unique host name).')
param functionAppName string

@description('Name of the user-assigned managed identity (in this resource group).')
param identityName string

@description('Name of the storage account (AzureWebJobsStorage and the deployment container).')
param storageAccountName string

@description('Blob container that Flex Consumption deploys the app package to.')
param deploymentContainerName string

@description('Name of the workspace-based Application Insights component.')
param appInsightsName string

@description('Service Bus namespace host name (name.servicebus.windows.net).')
param serviceBusFullyQualifiedNamespace string

@description('Versionless URI of the Key Vault secret bootstrap-operator-key.')
param bootstrapOperatorKeySecretUri string

@description('Versionless URI of the Key Vault secret settlement-hmac-key.')
param settlementHmacKeySecretUri string

@description('NCrontab schedule (UTC) of the daily settlement timer: 02:30 Asia/Shanghai by default (settlement.md).')
param settlementSchedule string = '0 30 18 * * *'

@description('NCrontab schedule (UTC) of the expiry timer: 00:30 Asia/Shanghai.')
param expirySchedule string = '0 30 16 * * *'

@description('NCrontab schedule (UTC) of the sweep that releases lapsed redemption holds.')
param holdsSchedule string = '0 */5 * * * *'

@description('NCrontab schedule (UTC) of the clearing timer: 03:00 Asia/Shanghai, after settlement (clearing.md).')
param clearingSchedule string = '0 0 19 * * *'

@description('Member buckets (partitions of the Members table): fixed when the app first runs; the app refuses another count later (docs/scale.md).')
@allowed([
  1
  2
  4
  8
  16
  32
  64
  128
  256
])
param memberBucketCount int = 16

@description('Most instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory of each instance, in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

// .NET 10 isolated (the project targets net10.0, Directory.Build.props). Flex Consumption offers
// dotnet-isolated 10.0 since .NET 10's release (November 2025); a framework-dependent net10.0 build
// would not start on 9.0, so there is no lower fallback without retargeting the project. Check a
// region with `az functionapp list-flexconsumption-runtimes -l <region> --runtime dotnet-isolated`.
var runtimeName = 'dotnet-isolated'
var runtimeVersion = '10.0'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: functionAppName
  location: location
  // azd deploys the service 'functions' of azure.yaml to the resource with this tag.
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with this identity (there is no system-assigned one).
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: runtimeName
        version: runtimeVersion
      }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      // Flex Consumption sets the worker runtime and the host version from functionAppConfig, and
      // refuses FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION as app settings.
      appSettings: [
        // Identity-based AzureWebJobsStorage, read by the host and by StorageOptions/StorageClients.
        {
          name: 'AzureWebJobsStorage__blobServiceUri'
          value: storage.properties.primaryEndpoints.blob
        }
        {
          name: 'AzureWebJobsStorage__queueServiceUri'
          value: storage.properties.primaryEndpoints.queue
        }
        {
          name: 'AzureWebJobsStorage__tableServiceUri'
          value: storage.properties.primaryEndpoints.table
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'AzureWebJobsStorage__clientId'
          value: identity.properties.clientId
        }
        // Only the instrumentation key (an id, not a credential) and the ingestion endpoints: with local
        // auth disabled on the component, ingestion needs the Entra token that the next setting asks for.
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
        {
          name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'
          value: 'ClientId=${identity.properties.clientId};Authorization=AAD'
        }
        // EventOptions: Service Bus with the managed identity.
        {
          name: 'Events__ServiceBusNamespace'
          value: serviceBusFullyQualifiedNamespace
        }
        {
          name: 'Events__ClientId'
          value: identity.properties.clientId
        }
        // Secrets stay in Key Vault; the platform resolves these references with keyVaultReferenceIdentity.
        {
          name: 'Auth__BootstrapOperatorKey'
          value: '@Microsoft.KeyVault(SecretUri=${bootstrapOperatorKeySecretUri})'
        }
        {
          name: 'Settlement__HmacKey'
          value: '@Microsoft.KeyVault(SecretUri=${settlementHmacKeySecretUri})'
        }
        {
          name: 'SettlementSchedule'
          value: settlementSchedule
        }
        {
          name: 'ExpirySchedule'
          value: expirySchedule
        }
        {
          name: 'HoldsSchedule'
          value: holdsSchedule
        }
        {
          name: 'ClearingSchedule'
          value: clearingSchedule
        }
        {
          name: 'Members__BucketCount'
          value: string(memberBucketCount)
        }
        {
          name: 'AZURE_FUNCTIONS_ENVIRONMENT'
          value: 'Production'
        }
        {
          // The host's welcome page at / says the app runs on Azure Functions: answered 204 instead.
          name: 'AzureWebJobsDisableHomepage'
          value: 'true'
        }
      ]
    }
  }
}

output id string = functionApp.id
output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
output runtimeVersion string = runtimeVersion
