import { cronHelp } from './cron'
import { TextInput } from '../ds'

/** CronField edits a cron spec and reads it back: what it means and the
 *  next three runs (UTC), or why it is not understood. */
export function CronField({ label = 'Recurrence', value, onChange, name }: { label?: string; value: string; onChange: (v: string) => void; name?: string }) {
  const h = cronHelp(value)
  return (
    <div className="stack tight" data-testid="cron-field">
      <TextInput label={label} name={name} value={value} onChange={(e) => onChange(e.target.value)} placeholder="e.g. 0 6 * * 1 or @monthly (UTC)" error={h.ok ? undefined : h.text} hint={h.ok ? h.text : undefined} />
      {h.next.length > 0 && (
        <div className="small faint" data-testid="cron-next">
          Next runs: {h.next.map((d) => d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC').join(' · ')}
        </div>
      )}
    </div>
  )
}
