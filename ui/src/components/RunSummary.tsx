import { skipReasons, summarizeRun, type ImportStats } from './runSummary'

/** RunSummary shows a run's result as a sentence and tables of why. */
export function RunSummary({ stats }: { stats: ImportStats | null | undefined }) {
  if (!stats) return null
  const reasons = skipReasons(stats)
  const files = stats.file_errors ?? []
  return (
    <div className="stack tight" data-testid="run-summary">
      <p className="m0">{summarizeRun(stats)}</p>
      {reasons.length > 0 && (
        <table className="table" aria-label="Skipped, and why">
          <thead>
            <tr>
              <th>Skipped because</th>
              <th className="w-80">How many</th>
              <th>For example</th>
            </tr>
          </thead>
          <tbody>
            {reasons.slice(0, 20).map((r) => (
              <tr key={r.reason}>
                <td className="wrap-anywhere">{r.reason}</td>
                <td>{r.count.toLocaleString('en-US')}</td>
                <td className="small wrap-anywhere">
                  <code>{r.example}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {files.length > 0 && (
        <table className="table" aria-label="Files that could not be read">
          <thead>
            <tr>
              <th>File</th>
              <th>Why it could not be read</th>
            </tr>
          </thead>
          <tbody>
            {files.slice(0, 20).map((f) => (
              <tr key={f.path}>
                <td className="small wrap-anywhere">
                  <code>{f.path}</code>
                </td>
                <td className="wrap-anywhere">{f.error}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}
