import type { ArgRow } from './args'

/**
 * ArgTable shows a template's input arguments: name, type, default and
 * description. With onValue the default column becomes an input per argument
 * (the default as its placeholder), for filling the command in.
 */
export function ArgTable({ rows, label, values, onValue, testId }: { rows: ArgRow[]; label: string; values?: Record<string, string>; onValue?: (name: string, value: string) => void; testId?: string }) {
  return (
    <table className="table" aria-label={label} data-testid={testId}>
      <thead>
        <tr>
          <th>Name</th>
          <th>Type</th>
          <th>{onValue ? 'Value (default filled in)' : 'Default'}</th>
          <th>Description</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name}>
            <td>
              <code>{r.name}</code>
            </td>
            <td className="small">{r.type || '—'}</td>
            <td className="wrap-anywhere">
              {onValue ? <input className="input" aria-label={`Value of ${r.name}`} placeholder={r.default} value={values?.[r.name] ?? ''} onChange={(e) => onValue(r.name, e.target.value)} /> : <code>{r.default}</code>}
            </td>
            <td className="small wrap-anywhere">{r.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
