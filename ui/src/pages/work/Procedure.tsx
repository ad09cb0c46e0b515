import { useState } from 'react'
import { Markdown } from '../../components/Markdown'
import { argRows, fillArguments, unfilled, type ArgRow } from '../../components/args'
import { ArgTable } from '../../components/ArgTable'
import { asArray } from '../../lib/format'
import { Badge, Button, Card } from '../../ds'
import type { Template } from '../content/Library'

// The procedure an operator runs: Markdown rendered safely, the template's
// arguments in a table (defaults filled, editable), every command with its
// placeholders filled and a copy button, then prerequisites and cleanup.

export function CopyButton({ text, label = 'Copy' }: { text: string; label?: string }) {
  const [done, setDone] = useState(false)
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text)
    } catch {
      // Clipboard refused (insecure origin): select a hidden textarea instead.
      const ta = document.createElement('textarea')
      ta.value = text
      document.body.appendChild(ta)
      ta.select()
      document.execCommand('copy')
      ta.remove()
    }
    setDone(true)
    setTimeout(() => setDone(false), 1500)
  }
  return (
    <Button size="small" className="copy" onClick={copy} data-testid="copy">
      {done ? 'Copied' : label}
    </Button>
  )
}

function Code({ text, rows, values }: { text: string; rows: ArgRow[]; values: Record<string, string> }) {
  const filled = fillArguments(text, rows, values)
  const left = unfilled(text, rows, values)
  return (
    <div className="codewrap">
      <pre className="codeblock" data-testid="procedure-command">{filled}</pre>
      <CopyButton text={filled} />
      {left.length > 0 && <div className="small text-danger">Still to fill: {left.map((x) => `#{${x}}`).join(', ')}</div>}
    </div>
  )
}

type Dep = { description?: string; prereq_command?: string; get_prereq_command?: string }

export function ProcedureCard({ procedure, template }: { procedure: string; template?: Template | null }) {
  const rows = argRows(template?.input_arguments)
  const [values, setValues] = useState<Record<string, string>>({})
  const deps = asArray<Dep>((template?.dependencies as { items?: unknown } | null)?.items ?? template?.dependencies)
  const cleanup = template?.executor?.cleanup_command || template?.executor?.cleanup || ''
  const hasCleanupInText = /cleanup/i.test(procedure)
  return (
    <Card
      title={
        <span className="row">
          Procedure
          {template && (
            <Badge tone="outline">
              {template.source} · {template.name}
            </Badge>
          )}
          {template?.executor?.elevation_required && <Badge tone="warning">Elevation required</Badge>}
        </span>
      }
    >
      <div className="stack">
        {rows.length > 0 && (
          <div>
            <h3 className="mt-0">Arguments</h3>
            <ArgTable rows={rows} label="Arguments" testId="arguments" values={values} onValue={(name, value) => setValues((v) => ({ ...v, [name]: value }))} />
          </div>
        )}
        {procedure ? <Markdown text={procedure} code={(text, _lang, i) => <Code key={i} text={text} rows={rows} values={values} />} /> : <span className="faint">No procedure written.</span>}
        {deps.length > 0 && (
          <div>
            <h3>Prerequisites</h3>
            <ol>
              {deps.map((d, i) => (
                <li key={i} className="stack tight">
                  <span>{fillArguments(d.description || 'Prerequisite', rows, values)}</span>
                  {d.prereq_command && (
                    <>
                      <span className="faint small">Check</span>
                      <Code text={d.prereq_command} rows={rows} values={values} />
                    </>
                  )}
                  {d.get_prereq_command && (
                    <>
                      <span className="faint small">Get it</span>
                      <Code text={d.get_prereq_command} rows={rows} values={values} />
                    </>
                  )}
                </li>
              ))}
            </ol>
          </div>
        )}
        {cleanup && !hasCleanupInText && (
          <div>
            <h3>Cleanup</h3>
            <Code text={cleanup} rows={rows} values={values} />
          </div>
        )}
      </div>
    </Card>
  )
}
