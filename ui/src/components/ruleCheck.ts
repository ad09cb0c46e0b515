// The answer of POST /api/aegis/rules/validate and the sentences the rule
// editor shows for it as the blue lead types.

export type RuleTechnique = { attack_id: string; id: string; name: string }
export type CheckedRule = { source_rule_id: string; title: string; severity: string; status: string; techniques: RuleTechnique[]; unknown_techniques: string[]; tactics: string[] }
export type RuleCheck = { valid: boolean; error?: string; rules: CheckedRule[] }
export type RuleMessage = { tone: 'error' | 'warning' | 'success'; text: string }

/** ruleMessages turns a validation answer into sentences, worst first. */
export function ruleMessages(c: RuleCheck | null): RuleMessage[] {
  if (!c) return []
  if (!c.valid) return [{ tone: 'error', text: `Not a valid Sigma rule: ${c.error || 'the parser refused it'}.`.replace(/\.\.$/, '.') }]
  const out: RuleMessage[] = []
  if (c.rules.length > 1) out.push({ tone: 'error', text: `This holds ${c.rules.length} rules; write one rule at a time.` })
  for (const r of c.rules) {
    for (const u of r.unknown_techniques) out.push({ tone: 'warning', text: `${u} is not in the ATT&CK catalogue: the rule will not count for it.` })
    if (r.techniques.length === 0) out.push({ tone: 'warning', text: 'No ATT&CK technique tag (e.g. attack.t1003.001): the rule will not count towards coverage.' })
    if (!r.severity) out.push({ tone: 'warning', text: 'No level: add one of informational, low, medium, high, critical.' })
    if (r.techniques.length > 0) out.push({ tone: 'success', text: `Valid. Counts for ${r.techniques.map((t) => `${t.attack_id} ${t.name}`).join(', ')}.` })
    else out.push({ tone: 'success', text: 'Valid Sigma.' })
  }
  return out
}

export const SIGMA_TEMPLATE = `title: 
id: ${'00000000-0000-4000-8000-000000000000'}
status: experimental
description: 
author: 
level: medium
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswith: '\\\\example.exe'
    condition: selection
tags:
    - attack.t1059.001
`

/** newRuleId is a random UUID for a new rule. */
export function newRuleId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now().toString(16)}-${Math.random().toString(16).slice(2, 10)}`
}
