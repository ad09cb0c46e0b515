import { useCallback, useEffect, useRef, useState } from 'react'
import { errorMessage } from './pb'

export type Submit = {
  /** busy is true while an action runs. */
  busy: boolean
  /** error is the last failure in words ('' when none). */
  error: string
  setError: (e: string) => void
  /** run starts the action unless one is already running (a double click or
   *  a second Enter sends once); a throw becomes error, in words. It resolves
   *  true when the action succeeded. */
  run: (action: () => unknown) => Promise<boolean>
}

/** useSubmit is the one busy flag and error line of a form or a button that
 *  talks to the server. */
export function useSubmit(): Submit {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState('')
  const running = useRef(false)
  const alive = useRef(true)
  useEffect(() => {
    alive.current = true
    return () => {
      alive.current = false
    }
  }, [])
  const run = useCallback(async (action: () => unknown) => {
    if (running.current) return false
    running.current = true
    setBusy(true)
    setError('')
    try {
      await action()
      return true
    } catch (err) {
      if (alive.current) setError(errorMessage(err))
      return false
    } finally {
      running.current = false
      if (alive.current) setBusy(false)
    }
  }, [])
  return { busy, error, setError, run }
}
