import { afterEach, describe, expect, it, vi } from 'vitest'
import { act, cleanup, fireEvent, render, renderHook, waitFor } from '@testing-library/react'
import { ClientResponseError } from 'pocketbase'
import { useState } from 'react'
import { FormDialog, TextInput, ToastProvider, useAction } from '../ds'
import { useSubmit } from '../lib/submit'
import { applyEvent, useSubscription } from '../lib/live'
import { pb } from '../lib/pb'

afterEach(() => {
  cleanup()
  vi.restoreAllMocks()
})

/** deferred is a promise the test settles by hand. */
function deferred() {
  let resolve!: () => void
  let reject!: (e: unknown) => void
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

function Dialog({ onSubmit, onClose, disabled }: { onSubmit: () => unknown; onClose?: () => void; disabled?: boolean }) {
  const [name, setName] = useState('')
  return (
    <FormDialog title="New tool" onClose={onClose ?? (() => {})} onSubmit={onSubmit} submitLabel="Create" disabled={disabled}>
      <TextInput label="Name" value={name} onChange={(e) => setName(e.target.value)} />
      <TextInput label="Vendor" />
    </FormDialog>
  )
}

describe('FormDialog', () => {
  it('focuses the first field, not the close button, when it opens', () => {
    const r = render(<Dialog onSubmit={() => {}} />)
    expect(document.activeElement).toBe(r.getByLabelText('Name'))
  })

  it('is busy while saving and submits once however often it is sent', async () => {
    const d = deferred()
    const onSubmit = vi.fn(() => d.promise)
    const r = render(<Dialog onSubmit={onSubmit} />)
    const form = r.getByLabelText('Name').closest('form')!
    fireEvent.submit(form)
    fireEvent.submit(form)
    fireEvent.click(r.getByText('Create'))
    expect(onSubmit).toHaveBeenCalledTimes(1)
    const button = r.getByText('Create').closest('button')!
    expect(button.disabled).toBe(true)
    expect(button.getAttribute('aria-busy')).toBe('true')
    await act(async () => d.resolve())
    expect(button.disabled).toBe(false)
    expect(r.queryByRole('alert')).toBeNull()
  })

  it('shows the server’s refusal in words and stays open; the next try clears it', async () => {
    const refusal = new ClientResponseError({ status: 400, response: { message: 'Failed to create record.', data: { name: { code: 'validation_not_unique', message: 'Value must be unique.' } } } })
    const onSubmit = vi.fn().mockRejectedValueOnce(refusal).mockResolvedValueOnce(undefined)
    const r = render(<Dialog onSubmit={onSubmit} />)
    fireEvent.submit(r.getByLabelText('Name').closest('form')!)
    const alert = await r.findByRole('alert')
    expect(alert.textContent).toBe('Failed to create record. name: Value must be unique.')
    expect(r.getByRole('dialog')).toBeTruthy()
    fireEvent.submit(r.getByLabelText('Name').closest('form')!)
    await waitFor(() => expect(r.queryByRole('alert')).toBeNull())
    expect(onSubmit).toHaveBeenCalledTimes(2)
  })

  it('shows a check of the form that throws, without a request', async () => {
    const r = render(<Dialog onSubmit={() => { throw new Error('Choose a technique.') }} />)
    fireEvent.submit(r.getByLabelText('Name').closest('form')!)
    expect((await r.findByRole('alert')).textContent).toBe('Choose a technique.')
  })

  it('closes with Cancel and with Escape, without submitting', () => {
    const onSubmit = vi.fn()
    const onClose = vi.fn()
    const r = render(<Dialog onSubmit={onSubmit} onClose={onClose} />)
    fireEvent.click(r.getByText('Cancel'))
    fireEvent.keyDown(document, { key: 'Escape' })
    expect(onClose).toHaveBeenCalledTimes(2)
    expect(onSubmit).not.toHaveBeenCalled()
  })

  it('does not submit while disabled', () => {
    const onSubmit = vi.fn()
    const r = render(<Dialog onSubmit={onSubmit} disabled />)
    expect(r.getByText('Create').closest('button')!.disabled).toBe(true)
    fireEvent.submit(r.getByLabelText('Name').closest('form')!)
    expect(onSubmit).not.toHaveBeenCalled()
  })

  it('keeps the focus where the user typed when the page behind re-renders', () => {
    function Page() {
      const [n, setN] = useState(0)
      return (
        <>
          <button onClick={() => setN(n + 1)}>tick</button>
          <FormDialog title={`t${n}`} onClose={() => setN(0)} onSubmit={() => {}}>
            <TextInput label="Name" />
            <TextInput label="Vendor" />
          </FormDialog>
        </>
      )
    }
    const r = render(<Page />)
    r.getByLabelText('Vendor').focus()
    fireEvent.click(r.getByText('tick'))
    r.getByLabelText('Vendor').focus()
    fireEvent.click(r.getByText('tick'))
    expect(document.activeElement).toBe(r.getByLabelText('Vendor'))
  })
})

describe('useSubmit', () => {
  it('reports success, failure in words, and ignores a second run while one is running', async () => {
    const { result } = renderHook(() => useSubmit())
    const d = deferred()
    let first!: Promise<boolean>
    let second!: Promise<boolean>
    act(() => {
      first = result.current.run(() => d.promise)
      second = result.current.run(() => Promise.resolve())
    })
    expect(result.current.busy).toBe(true)
    expect(await second).toBe(false)
    await act(async () => d.resolve())
    expect(await first).toBe(true)
    expect(result.current.busy).toBe(false)
    let ok = true
    await act(async () => {
      ok = await result.current.run(() => Promise.reject(new ClientResponseError({ status: 0 })))
    })
    expect(ok).toBe(false)
    expect(result.current.error).toBe('The server could not be reached.')
  })
})

describe('useAction', () => {
  it('names the running action, ignores a second click, and tells a failure in a toast', async () => {
    const d = deferred()
    function Page() {
      const { busy, run } = useAction()
      return (
        <>
          <span data-testid="busy">{busy}</span>
          <button onClick={() => run('sync', 'Could not sync', () => d.promise)}>sync</button>
          <button onClick={() => run('run', 'Could not run', () => Promise.reject(new Error('The job is already running.')))}>run</button>
        </>
      )
    }
    const r = render(
      <ToastProvider timeout={0}>
        <Page />
      </ToastProvider>,
    )
    fireEvent.click(r.getByText('sync'))
    expect(r.getByTestId('busy').textContent).toBe('sync')
    fireEvent.click(r.getByText('run'))
    expect(r.queryByText('Could not run')).toBeNull()
    await act(async () => d.resolve())
    expect(r.getByTestId('busy').textContent).toBe('')
    fireEvent.click(r.getByText('run'))
    expect((await r.findByText('Could not run')).nextSibling?.textContent).toBe('The job is already running.')
  })
})

describe('live lists', () => {
  const rows = [{ id: 'a', v: 1 }, { id: 'b', v: 2 }]
  it('applyEvent replaces, removes, and adds first within the limit', () => {
    expect(applyEvent(rows, { action: 'update', record: { id: 'b', v: 3 } })).toEqual([{ id: 'a', v: 1 }, { id: 'b', v: 3 }])
    expect(applyEvent(rows, { action: 'delete', record: { id: 'a', v: 1 } })).toEqual([{ id: 'b', v: 2 }])
    expect(applyEvent(rows, { action: 'create', record: { id: 'c', v: 0 } }, { limit: 2 })).toEqual([{ id: 'c', v: 0 }, { id: 'a', v: 1 }])
    expect(applyEvent(rows, { action: 'create', record: { id: 'c', v: 0 } }, { add: false })).toBe(rows)
  })

  it('useSubscription delivers events to the latest handler and unsubscribes on unmount', async () => {
    let deliver: ((data: unknown) => void) | null = null
    const unsub = vi.fn(async () => {})
    const sub = vi.spyOn(pb.realtime, 'subscribe').mockImplementation(async (_topic, cb) => {
      deliver = cb as (data: unknown) => void
      return unsub
    })
    const seen: string[] = []
    const { rerender, unmount } = renderHook(({ tag }) => useSubscription('tests', 'abc', (e) => seen.push(`${tag}:${e.record.id}`), { expand: 'technique' }), { initialProps: { tag: 'one' } })
    await waitFor(() => expect(deliver).not.toBeNull())
    rerender({ tag: 'two' })
    deliver!({ action: 'update', record: { id: 'abc' } })
    expect(seen).toEqual(['two:abc'])
    expect(sub).toHaveBeenCalledTimes(1)
    expect(String(sub.mock.calls[0]![0])).toContain('tests/abc')
    unmount()
    await waitFor(() => expect(unsub).toHaveBeenCalled())
  })
})
