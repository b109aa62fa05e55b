// The alerts of operations.md: a message in a poison queue, yesterday's settlement missing at 04:00
// Asia/Shanghai, the HTTP 5xx rate, receipts waiting too long to be scored (log alerts on Application
// Insights; their queries are the files in ../queries/alerts/), plus two metric alerts on the platform
// (storage availability, Service Bus errors). What to do for each: docs/operations.md.

@description('Azure region of the log alerts (action groups and metric alerts are global).')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Prefix of the alert names.')
param namePrefix string

@description('Name of the Application Insights component the log alerts query.')
param appInsightsName string

@description('Name of the storage account.')
param storageAccountName string

@description('Name of the Service Bus namespace.')
param serviceBusNamespaceName string

@description('E-mail address the alerts go to; empty for none (the alerts still show in the portal).')
param alertEmailAddress string = ''

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource storage 'Microsoft.Storage/storageAccounts@2026-06-01' existing = {
  name: storageAccountName
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2026-01-01' existing = {
  name: serviceBusNamespaceName
}

resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: 'ag-${namePrefix}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'greenpoints'
    enabled: true
    emailReceivers: empty(alertEmailAddress)
      ? []
      : [
          {
            name: 'on-call'
            emailAddress: alertEmailAddress
            useCommonAlertSchema: true
          }
        ]
  }
}

var logAlerts = [
  {
    name: 'poison-messages'
    displayName: 'PosGreenPoints: message in a poison queue'
    description: 'A queue message failed maxDeliveryCount times and was moved to <queue>-poison. Runbook: docs/operations.md#alert-poison-messages'
    severity: 1
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: false
    query: loadTextContent('../queries/alerts/poison-messages.kql')
  }
  {
    name: 'settlement-missing'
    displayName: 'PosGreenPoints: yesterday\'s settlement missing at 04:00 Asia/Shanghai'
    description: 'A chain has no settlement published for yesterday at 04:00 Asia/Shanghai (checked at the 20:00 UTC evaluation). Runbook: docs/operations.md#alert-settlement-missing'
    severity: 1
    evaluationFrequency: 'PT1H'
    windowSize: 'P2D'
    autoMitigate: false
    query: loadTextContent('../queries/alerts/settlement-missing.kql')
  }
  {
    name: 'http-5xx'
    displayName: 'PosGreenPoints: HTTP 5xx'
    description: 'A 5xx other than 503, or a 503 (storage unavailable) rate over 5 %, in 5 minutes. Runbook: docs/operations.md#alert-http-5xx'
    severity: 2
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    autoMitigate: true
    query: loadTextContent('../queries/alerts/http-5xx.kql')
  }
  {
    name: 'scoring-latency'
    displayName: 'PosGreenPoints: receipts wait over 5 minutes to be scored'
    description: 'Scoring latency p95 over 5 minutes, or receipts accepted and none scored. Runbook: docs/operations.md#alert-scoring-latency'
    severity: 2
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    query: loadTextContent('../queries/alerts/scoring-latency.kql')
  }
]

resource scheduledQueryRules 'Microsoft.Insights/scheduledQueryRules@2026-03-01' = [
  for alert in logAlerts: {
    name: '${namePrefix}-${alert.name}'
    location: location
    tags: tags
    kind: 'LogAlert'
    properties: {
      displayName: alert.displayName
      description: alert.description
      severity: alert.severity
      enabled: true
      evaluationFrequency: alert.evaluationFrequency
      windowSize: alert.windowSize
      scopes: [
        appInsights.id
      ]
      criteria: {
        allOf: [
          {
            query: alert.query
            timeAggregation: 'Count'
            operator: 'GreaterThan'
            threshold: 0
            failingPeriods: {
              numberOfEvaluationPeriods: 1
              minFailingPeriodsToAlert: 1
            }
          }
        ]
      }
      autoMitigate: alert.autoMitigate
      actions: {
        actionGroups: [
          actionGroup.id
        ]
      }
    }
  }
]

// Storage unreachable or failing: the app answers 503 storage-unavailable and scoring stops.
resource storageAvailability 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: '${namePrefix}-storage-availability'
  location: 'global'
  tags: tags
  properties: {
    description: 'Storage availability under 99 % over 15 minutes. Runbook: docs/operations.md#alert-storage-availability'
    severity: 1
    enabled: true
    scopes: [
      storage.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'availability'
          metricNamespace: 'Microsoft.Storage/storageAccounts'
          metricName: 'Availability'
          operator: 'LessThan'
          threshold: 99
          timeAggregation: 'Average'
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

// Events that cannot be published: Service Bus fails the app's sends. (Criteria of one metric alert are
// all required together, so throttling, which the SDK retries, is left to the dashboards.)
resource serviceBusErrors 'Microsoft.Insights/metricAlerts@2026-01-01' = {
  name: '${namePrefix}-servicebus-errors'
  location: 'global'
  tags: tags
  properties: {
    description: 'Service Bus server errors in 15 minutes. Runbook: docs/operations.md#alert-service-bus-errors'
    severity: 2
    enabled: true
    scopes: [
      serviceBus.id
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allOf: [
        {
          criterionType: 'StaticThresholdCriterion'
          name: 'serverErrors'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'ServerErrors'
          operator: 'GreaterThan'
          threshold: 0
          timeAggregation: 'Total'
        }
      ]
    }
    autoMitigate: true
    actions: [
      {
        actionGroupId: actionGroup.id
      }
    ]
  }
}

output actionGroupName string = actionGroup.name
output logAlertNames array = [for (alert, i) in logAlerts: scheduledQueryRules[i].name]
