// PosGreenPoints on Azure, deployed with `azd up` (azure.yaml at the repository root; runbook in
// docs/operations.md): a Function App on the Flex Consumption plan (.NET 10 isolated), its storage
// account with every table, queue and container, a Service Bus topic for integration events, Key Vault
// for the two secrets, Log Analytics + Application Insights, the alerts and the operators' dashboard (a workbook). Every connection is made
// with one user-assigned managed identity holding least-privilege roles; no app setting, output or
// parameter file holds a key, SAS or connection string with a secret.
targetScope = 'resourceGroup'

@description('Azure region for every resource; defaults to the resource group\'s region.')
param location string = resourceGroup().location

@description('Short name of the environment (for example dev, test, prod); part of every resource name.')
@minLength(1)
@maxLength(20)
param environmentName string

@description('Tags applied to every resource.')
param tags object = {}

@secure()
@description('The bootstrap operator key (Auth:BootstrapOperatorKey), at least 32 characters. Stored in Key Vault as bootstrap-operator-key.')
@minLength(32)
param bootstrapOperatorKey string

@secure()
@description('The member pseudonym key (Settlement:HmacKey), at least 32 characters. Stored in Key Vault as settlement-hmac-key. Changing it changes every member_ref.')
@minLength(32)
param settlementHmacKey string

@description('E-mail address the alerts go to; empty for none.')
param alertEmailAddress string = ''

@description('NCrontab schedule (UTC) of the daily settlement: 02:30 Asia/Shanghai by default.')
param settlementSchedule string = '0 30 18 * * *'

@description('NCrontab schedule (UTC) of the daily clearing between chains: 03:00 Asia/Shanghai by default.')
param clearingSchedule string = '0 0 19 * * *'

@description('Member buckets of a new deployment (a power of two, 1 to 256); never changed on a running one without the migration in docs/scale.md.')
param memberBucketCount int = 16

@description('Most instances the Function App scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

var suffix = uniqueString(resourceGroup().id, environmentName)
var allTags = union(tags, { 'azd-env-name': environmentName })
var functionAppName = 'func-${environmentName}-${suffix}'
// Lowercase, as container names must be; the suffix keeps it unique and valid whatever the environment name.
var deploymentContainerName = 'app-package-${suffix}'
var storageAccountName = 'st${suffix}'
var appInsightsName = 'appi-${environmentName}-${suffix}'
var serviceBusNamespaceName = 'sb-${environmentName}-${suffix}'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-${environmentName}-${suffix}'
  location: location
  tags: allTags
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: allTags
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    identityName: identity.name
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: allTags
    logAnalyticsName: 'log-${environmentName}-${suffix}'
    appInsightsName: appInsightsName
    identityName: identity.name
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    location: location
    tags: allTags
    namespaceName: serviceBusNamespaceName
    identityName: identity.name
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    tags: allTags
    keyVaultName: 'kv-${suffix}'
    identityName: identity.name
    bootstrapOperatorKey: bootstrapOperatorKey
    settlementHmacKey: settlementHmacKey
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    tags: allTags
    planName: 'plan-${environmentName}-${suffix}'
    functionAppName: functionAppName
    identityName: identity.name
    storageAccountName: storageAccountName
    deploymentContainerName: deploymentContainerName
    appInsightsName: appInsightsName
    serviceBusFullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
    bootstrapOperatorKeySecretUri: keyVault.outputs.bootstrapOperatorKeySecretUri
    settlementHmacKeySecretUri: keyVault.outputs.settlementHmacKeySecretUri
    settlementSchedule: settlementSchedule
    clearingSchedule: clearingSchedule
    memberBucketCount: memberBucketCount
    maximumInstanceCount: maximumInstanceCount
  }
  // The storage account and Application Insights are referenced by name; the roles must exist before the
  // app starts resolving its identity-based connections.
  dependsOn: [
    storage
    monitoring
  ]
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  params: {
    location: location
    tags: allTags
    namePrefix: 'alert-${environmentName}-${suffix}'
    appInsightsName: appInsightsName
    storageAccountName: storageAccountName
    serviceBusNamespaceName: serviceBusNamespaceName
    alertEmailAddress: alertEmailAddress
  }
  // Referenced by name (a runtime value would blur What-If).
  dependsOn: [
    storage
    monitoring
    serviceBus
  ]
}

module dashboard 'modules/dashboard.bicep' = {
  name: 'dashboard'
  params: {
    location: location
    tags: allTags
    appInsightsName: appInsightsName
  }
  // Referenced by name, as the alerts do.
  dependsOn: [
    monitoring
  ]
}

// Names, endpoints and the identity's client id; never a secret. azd stores these in .azure/<env>/.env.
output AZURE_LOCATION string = location
output storageAccountName string = storage.outputs.name
output storageBlobEndpoint string = storage.outputs.blobEndpoint
output storageQueueEndpoint string = storage.outputs.queueEndpoint
output storageTableEndpoint string = storage.outputs.tableEndpoint
output identityName string = identity.name
output identityClientId string = identity.properties.clientId
output functionAppName string = functionApp.outputs.name
output functionAppUrl string = 'https://${functionApp.outputs.defaultHostName}'
output functionsRuntimeVersion string = functionApp.outputs.runtimeVersion
output serviceBusNamespace string = serviceBus.outputs.fullyQualifiedNamespace
output serviceBusTopic string = serviceBus.outputs.topicName
output serviceBusSubscription string = serviceBus.outputs.subscriptionName
output keyVaultName string = keyVault.outputs.name
output keyVaultUri string = keyVault.outputs.uri
output appInsightsName string = monitoring.outputs.appInsightsName
output logAnalyticsWorkspaceName string = monitoring.outputs.logAnalyticsName
output actionGroupName string = alerts.outputs.actionGroupName
output dashboardWorkbookId string = dashboard.outputs.workbookId
