import { describe, expect, it } from 'vitest'
import { asArray, compareAttackId, duration, humanize, levelFor, parseDate, plural, relativeTime } from '../lib/format'

describe('levelFor', () => {
  it.each([
    [null, false, 'none'],
    [0, false, 'none'],
    [12, false, 'low'],
    [29.9, false, 'low'],
    [30, false, 'partial'],
    [69.9, false, 'partial'],
    [70, false, 'good'],
    [100, false, 'good'],
    [40, true, 'validated'],
  ])('score %s validated=%s → %s', (score, validated, want) => {
    expect(levelFor(score as number | null, validated as boolean)).toBe(want)
  })
})

describe('compareAttackId', () => {
  it('orders parents before their sub-techniques and numerically', () => {
    const ids = ['T1059.010', 'T1003', 'T1059', 'T1059.002', 'T1003.001']
    expect([...ids].sort(compareAttackId)).toEqual(['T1003', 'T1003.001', 'T1059', 'T1059.002', 'T1059.010'])
  })
})

describe('dates', () => {
  it('parses PocketBase dates with a space separator', () => {
    expect(parseDate('2026-11-30 04:33:00.000Z')?.toISOString()).toBe('2026-11-30T04:33:00.000Z')
    expect(parseDate('')).toBeNull()
    expect(parseDate('not a date')).toBeNull()
  })
  it('describes relative times', () => {
    const now = new Date('2026-11-30T12:00:00Z')
    expect(relativeTime('2026-11-30 11:59:50.000Z', now)).toBe('just now')
    expect(relativeTime('2026-11-30 11:55:00.000Z', now)).toBe('5 minutes ago')
    expect(relativeTime('2026-11-29 12:00:00.000Z', now)).toBe('1 day ago')
    expect(relativeTime('2026-12-02 12:00:00.000Z', now)).toBe('in 2 days')
    expect(relativeTime(undefined, now)).toBe('—')
  })
  it('formats durations', () => {
    expect(duration(250)).toBe('250 ms')
    expect(duration(1500)).toBe('1.5 s')
    expect(duration(125_000)).toBe('2 min 5 s')
    expect(duration(-1)).toBe('—')
  })
})

describe('text helpers', () => {
  it('humanizes enum values', () => {
    expect(humanize('blue_review')).toBe('Blue review')
    expect(humanize('atomic-log')).toBe('Atomic log')
    expect(humanize('')).toBe('—')
  })
  it('pluralizes', () => {
    expect(plural(1, 'technique')).toBe('1 technique')
    expect(plural(1200, 'technique')).toBe('1,200 techniques')
    expect(plural(2, 'tactic')).toBe('2 tactics')
  })
  it('reads JSON arrays defensively', () => {
    expect(asArray(['a'])).toEqual(['a'])
    expect(asArray('["x","y"]')).toEqual(['x', 'y'])
    expect(asArray('[broken')).toEqual([])
    expect(asArray(null)).toEqual([])
    expect(asArray({ a: 1 })).toEqual([])
  })
})
