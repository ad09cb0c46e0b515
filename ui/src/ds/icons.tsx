import type { ReactNode } from 'react'

// The design system's icons: inline SVG strokes (24×24 grid, currentColor),
// so they render the same everywhere; emoji and symbol fonts do not.

const PATHS: Record<string, ReactNode> = {
  download: <path d="M12 3v12m0 0-5-5m5 5 5-5M4 19h16" />,
  chart: <path d="M3 3v18h18M7 15l4-4 3 3 5-6" />,
  file: <path d="M14 3H6a1 1 0 0 0-1 1v16a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V8zm0 0v5h5M8 13h8M8 17h6" />,
  search: <path d="m21 21-4.3-4.3M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14z" />,
  close: <path d="M6 6l12 12M18 6 6 18" />,
  external: <path d="M14 4h6v6m0-6-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5" />,
  sortUp: <path d="m7 14 5-5 5 5" />,
  sortDown: <path d="m7 10 5 5 5-5" />,
  sort: <path d="m8 9 4-4 4 4M8 15l4 4 4-4" />,
  check: <path d="m5 12 5 5 9-10" />,
  warning: <path d="M12 4 2.5 20h19zM12 10v4m0 3v.01" />,
  refresh: <path d="M20 11a8 8 0 1 0-2.3 5.7M20 5v6h-6" />,
  layers: <path d="m12 3 9 5-9 5-9-5zm-9 9 9 5 9-5M3 16l9 5 9-5" />,
  grid: <path d="M4 4h7v7H4zm9 0h7v7h-7zM4 13h7v7H4zm9 0h7v7h-7z" />,
  compress: <path d="M4 9h5V4m11 5h-5V4M4 15h5v5m11-5h-5v5" />,
  expand: <path d="M9 4H4v5m11-5h5v5M9 20H4v-5m11 5h5v-5" />,
  keyboard: <path d="M3 6h18v12H3zM7 10h.01M11 10h.01M15 10h.01M7 14h10" />,
  lock: <path d="M6 11h12v10H6zM8 11V7a4 4 0 0 1 8 0v4" />,
  bell: <path d="M18 8a6 6 0 1 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0" />,
  flag: <path d="M5 21V4m0 0h11l-2 4 2 4H5" />,
  book: <path d="M4 5a2 2 0 0 1 2-2h14v16H6a2 2 0 0 0-2 2zm0 0v16M8 7h8" />,
  archive: <path d="M3 4h18v4H3zM5 8v12h14V8M10 12h4" />,
  tool: <path d="M14.7 6.3a4 4 0 0 0-5.4 5.4L3 18l3 3 6.3-6.3a4 4 0 0 0 5.4-5.4l-2.5 2.5-2.4-.6-.6-2.4z" />,
  news: <path d="M4 5h13v14H6a2 2 0 0 1-2-2zm13 4h3v8a2 2 0 0 1-2 2M8 9h5M8 13h5" />,
}

export type IconName = keyof typeof PATHS

/** Icon draws one of the design system's icons; with a label it is announced, otherwise hidden from assistive tech. */
export function Icon({ name, size = 16, label, className }: { name: IconName; size?: number; label?: string; className?: string }) {
  return (
    <svg
      className={['icon', className].filter(Boolean).join(' ')}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : true}
      data-icon={name}
    >
      {PATHS[name]}
    </svg>
  )
}

export const ICON_NAMES = Object.keys(PATHS) as IconName[]
