import { api } from './pb'
import { useLoad } from './data'

// The campaign menus of the Board, the Tests page and its forms, Reports
// and the matrix: every campaign's id, name and status, newest first, from
// one answer the server keeps until a campaign changes (a records list of
// every campaign costs the server per campaign, and recurring campaigns
// add one each round).

export type CampaignName = { id: string; name: string; status: string }

/** loadCampaignNames reads every campaign's id, name and status, newest first. */
export function loadCampaignNames(): Promise<CampaignName[]> {
  return api<{ items: CampaignName[] }>('/api/aegis/campaigns/names').then((r) => r.items ?? [])
}

/** useCampaigns loads the campaign names once for a page. */
export function useCampaigns() {
  return useLoad(loadCampaignNames, [])
}
