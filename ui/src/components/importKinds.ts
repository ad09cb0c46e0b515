// The kinds of data Aegis imports, in the words of the upload form and the
// integration form (one table for both).

/** SOURCE_KIND_LABELS are the kinds an integration can sync on a schedule. */
export const SOURCE_KIND_LABELS: Record<string, string> = {
  attack: 'ATT&CK STIX bundle',
  sigma: 'Sigma rules',
  elastic: 'Elastic detection rules',
  atomic: 'Atomic Red Team',
  caldera: 'CALDERA abilities',
  d3fend: 'D3FEND mappings',
  compliance: 'Compliance mappings',
  intel: 'Threat intel reports',
}

/** IMPORT_KIND_LABELS are every kind a file upload accepts. */
export const IMPORT_KIND_LABELS: Record<string, string> = {
  ...SOURCE_KIND_LABELS,
  navigator: 'Navigator layer',
  vectr: 'VECTR CSV export',
  'vectr-bundle': 'VECTR assessment bundle (JSON)',
  'atomic-log': 'Invoke-AtomicRedTeam log',
  dettect: 'DeTT&CT technique administration',
}
