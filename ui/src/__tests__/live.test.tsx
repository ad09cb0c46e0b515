import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, renderHook } from '@testing-library/react'
import { MAX_PENDING_RETRIES, PENDING_EVENT, useLiveReload } from '../lib/live'
import { pb } from '../lib/pb'

afterEach(cleanup)

describe('useLiveReload', () => {
  it('asks again when the answer said the server was still catching up, a bounded number of times', async () => {
    vi.spyOn(pb.realtime, 'subscribe').mockImplementation(async () => async () => {})
    const reload = vi.fn()
    renderHook(() => useLiveReload(['tests'], reload, 1))
    for (let i = 0; i < MAX_PENDING_RETRIES + 5; i++) {
      window.dispatchEvent(new Event(PENDING_EVENT))
      await new Promise((r) => setTimeout(r, 5))
    }
    expect(reload).toHaveBeenCalledTimes(MAX_PENDING_RETRIES)
  })

  it('marks pending answers from the response header', () => {
    const seen = vi.fn()
    window.addEventListener(PENDING_EVENT, seen)
    const headers = new Headers({ 'X-Aegis-Coverage': 'pending' })
    pb.afterSend!({ headers, status: 200 } as Response, {})
    pb.afterSend!({ headers: new Headers(), status: 200 } as Response, {})
    window.removeEventListener(PENDING_EVENT, seen)
    expect(seen).toHaveBeenCalledTimes(1)
  })
})
