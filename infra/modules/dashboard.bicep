// The operators' dashboard: an Azure Monitor workbook on the Application Insights component, one view per
// question of docs/operations.md ("Dashboard"). Each view's query is a file in ../queries/dashboard/, loaded
// here as it is (the unit tests check that every query of the built workbook is one of those files), so the
// same KQL runs in the workbook and by hand in Logs.

@description('Azure region of the workbook.')
param location string

@description('Tags applied to every resource.')
param tags object

@description('Name of the Application Insights component the workbook reads.')
param appInsightsName string

@description('Display name of the workbook in the portal.')
param displayName string = 'PosGreenPoints operations'

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// Written out item by item, without resource ids or loops, so that the built template holds it as plain JSON
// (the unit test reads every query back from there); the component is added where the workbook is declared.
var content = {
  version: 'Notebook/1.0'
  items: [
    {
      type: 1
      name: 'about'
      content: {
        json: '## PosGreenPoints operations\nWhat each view answers, and which fill only once the wallet, redemption and clearing ship: docs/operations.md, "Dashboard". The queries are the files of infra/queries/dashboard/.'
      }
    }
    {
      type: 3
      name: 'receipts-per-hour'
      content: {
        version: 'KqlItem/1.0'
        title: 'Receipts (and activities) accepted / duplicate / rejected per hour and chain'
        query: loadTextContent('../queries/dashboard/receipts-per-hour.kql')
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
        size: 0
      }
    }
    {
      type: 3
      name: 'scoring-latency'
      content: {
        version: 'KqlItem/1.0'
        title: 'Scoring latency p50 / p99 per hour (seconds, post to scored)'
        query: loadTextContent('../queries/dashboard/scoring-latency.kql')
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
        size: 0
      }
    }
    {
      type: 3
      name: 'poison-queue-depth'
      content: {
        version: 'KqlItem/1.0'
        title: 'Poison queue depth (moved in less replayed, from the window start)'
        query: loadTextContent('../queries/dashboard/poison-queue-depth.kql')
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'timechart'
        size: 0
      }
    }
    {
      type: 3
      name: 'settlement-days'
      content: {
        version: 'KqlItem/1.0'
        title: 'Settlement (and clearing) days published or missing'
        query: loadTextContent('../queries/dashboard/settlement-days.kql')
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'table'
        size: 0
      }
    }
    {
      type: 3
      name: 'points-per-day'
      content: {
        version: 'KqlItem/1.0'
        title: 'Points issued / reversed / redeemed / expired per day'
        query: loadTextContent('../queries/dashboard/points-per-day.kql')
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'barchart'
        size: 0
      }
    }
    {
      type: 3
      name: 'outstanding-liability'
      content: {
        version: 'KqlItem/1.0'
        title: 'Outstanding liability per issuing chain (points)'
        query: loadTextContent('../queries/dashboard/outstanding-liability.kql')
        queryType: 0
        resourceType: 'microsoft.insights/components'
        visualization: 'linechart'
        size: 0
      }
    }
  ]
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  // A workbook's name must be a GUID; this one is stable per component, so a redeploy updates it in place.
  name: guid(appInsights.id, 'posgreenpoints-operations-workbook')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: appInsights.id
    version: 'Notebook/1.0'
    serializedData: string(union(content, { fallbackResourceIds: [appInsights.id] }))
  }
}

output workbookId string = workbook.id
output workbookName string = workbook.name
