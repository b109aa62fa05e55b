// Integration events: a Standard namespace (topics need Standard) with the topic greenpoints-events.
// Local (SAS) auth is off; the app sends with its managed identity and may only send, only to this topic.

@description('Azure region of the namespace.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Name of the Service Bus namespace (6-50 characters).')
@minLength(6)
@maxLength(50)
param namespaceName string

@description('Name of the Function App\'s user-assigned managed identity (in this resource group).')
param identityName string

// EventOptions.Topic in Infrastructure/Events/EventPublisher.cs.
var topicName = 'greenpoints-events'

// Azure Service Bus Data Sender.
var serviceBusDataSender = '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' existing = {
  name: identityName
}

resource namespace 'Microsoft.ServiceBus/namespaces@2026-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2026-01-01' = {
  parent: namespace
  name: topicName
  properties: {
    // MessageId is the CloudEvent id, so a replayed event (a scoring message delivered again, a
    // settlement re-run) within the window is dropped by Service Bus.
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT1H'
    defaultMessageTimeToLive: 'P14D'
    supportOrdering: false
  }
}

// A sample subscription that receives every event; consumers add their own (with filters) beside it.
resource allEvents 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2026-01-01' = {
  parent: topic
  name: 'all-events'
  properties: {
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: false
  }
}

resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: topic
  name: guid(topic.id, identity.id, serviceBusDataSender)
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', serviceBusDataSender)
  }
}

output id string = namespace.id
output name string = namespace.name
output topicName string = topic.name
output subscriptionName string = allEvents.name
// The host name the SDK expects (name.servicebus.windows.net, or the sovereign cloud's suffix),
// taken from the namespace's endpoint rather than written out.
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '//')[1], ':')[0]
