import { describe, expect, it } from 'vitest'
import { heatmapSvg, wrap } from '../pages/attack/heatmap'
import type { Column } from '../pages/attack/Matrix'

describe('wrap', () => {
  it('keeps short names on one line and cuts long ones at two', () => {
    expect(wrap('Phishing')).toEqual(['Phishing'])
    expect(wrap('Command and Scripting Interpreter', 24)).toEqual(['Command and Scripting', 'Interpreter'])
    const long = wrap('Abuse Elevation Control Mechanism Through Very Long Words Indeed', 20)
    expect(long).toHaveLength(2)
    expect(long[1].endsWith('…')).toBe(true)
  })
})

describe('heatmapSvg', () => {
  const col = (id: string, techs: [string, string, boolean][]) =>
    ({ tactic: { id, name: id === 'ex' ? 'Execution' : 'Impact <&>' }, techniques: techs.map(([a, n, s]) => ({ t: { id: a, attack_id: a, name: n, in_scope: s }, subs: [] })) }) as unknown as Column
  it('draws every column and cell with level colours and escapes text', () => {
    const scores = new Map([['T1059', { id: 'x', attack_id: 'T1059', score: 75, level: 'good', V: 1, R: 0, M: 0 }]])
    const svg = heatmapSvg([col('ex', [['T1059', 'Command and Scripting Interpreter', true], ['T1106', 'Native API', true]]), col('im', [['T1486', 'Data Encrypted for Impact', false]])], scores, { title: 'ATT&CK coverage' })
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    expect(svg).toContain('ATT&amp;CK coverage')
    expect(svg).toContain('Impact &lt;&amp;&gt;')
    expect(svg).toContain('fill="#a7dcb5"') // good
    expect(svg).toContain('fill="#e8ebef"') // none: scored matrix, no score for T1106
    expect(svg).toContain('fill="#f3f4f6"') // out of scope
    expect(svg).toContain('T1059 · 75')
    expect((svg.match(/<g>/g) ?? []).length).toBe(3)
    expect(new DOMParser().parseFromString(svg, 'image/svg+xml').querySelector('parsererror')).toBeNull()
  })
})
