import { describe, expect, it } from 'vitest'
import { platformOptions } from '../pages/work/TestForms'

const all = ['Containers', 'Linux', 'SaaS', 'Windows', 'macOS']

describe('test platform picker', () => {
  it('lists the technique platforms first, stored lower-case like the planner does', () => {
    const o = platformOptions(all, ['Windows', 'Linux'], '')
    expect(o.slice(0, 2)).toEqual([
      { value: 'linux', label: 'Linux (this technique)' },
      { value: 'windows', label: 'Windows (this technique)' },
    ])
    expect(o.map((x) => x.value)).toEqual(['linux', 'windows', 'containers', 'saas', 'macos'])
  })

  it('lists the catalogue alone without a technique', () => {
    expect(platformOptions(all, [], '').map((x) => x.label)).toEqual(all)
  })

  it('keeps a stored value the catalogue does not know, so saving does not lose it', () => {
    const o = platformOptions(all, [], 'AIX')
    expect(o[o.length - 1]).toEqual({ value: 'AIX', label: 'AIX' })
    expect(platformOptions(all, [], 'windows').length).toBe(all.length)
  })
})
