import { afterEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, renderHook, waitFor } from '@testing-library/react'
import { SEARCH_PAUSE_MS, useDebounced, useLoad } from '../lib/data'

afterEach(cleanup)

/** deferred is a promise whose answer the test gives by hand. */
function deferred<T>() {
  let resolve!: (v: T) => void
  const promise = new Promise<T>((r) => (resolve = r))
  return { promise, resolve }
}

describe('useLoad', () => {
  it('loads once more when the data changed while an answer was in flight', async () => {
    // The server's list: the answer to the first request was taken before a
    // notification was created; the event about it arrives first.
    const answers = [deferred<string[]>(), deferred<string[]>()]
    let calls = 0
    const { result } = renderHook(() => useLoad(() => answers[calls++].promise, []))
    expect(calls).toBe(1)
    act(() => result.current.changed()) // the live event, before the answer
    await act(async () => answers[0].resolve([]))
    await waitFor(() => expect(calls).toBe(2))
    await act(async () => answers[1].resolve(['Outcome needed']))
    await waitFor(() => expect(result.current.data).toEqual(['Outcome needed']))
  })

  it('does not load again for a change after the answer is in', async () => {
    let calls = 0
    const { result } = renderHook(() => useLoad(async () => ++calls, []))
    await waitFor(() => expect(result.current.data).toBe(1))
    act(() => result.current.changed())
    await new Promise((r) => setTimeout(r, 20))
    expect(calls).toBe(1)
  })
})

describe('useDebounced', () => {
  it('takes the first value at once and a typed one when typing pauses', () => {
    vi.useFakeTimers()
    try {
      const { result, rerender } = renderHook(({ v }) => useDebounced(v), { initialProps: { v: 'from the link' } })
      expect(result.current).toBe('from the link')
      for (const v of ['m', 'mi', 'mim']) {
        rerender({ v })
        act(() => vi.advanceTimersByTime(SEARCH_PAUSE_MS - 50))
      }
      expect(result.current).toBe('from the link') // still typing: no new search yet
      act(() => vi.advanceTimersByTime(50))
      expect(result.current).toBe('mim')
    } finally {
      vi.useRealTimers()
    }
  })
})
