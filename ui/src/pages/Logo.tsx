export function Logo({ size = 26 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden>
      <path d="M16 2 4 7v8c0 7.5 5.1 13.4 12 15 6.9-1.6 12-7.5 12-15V7z" fill="#2451b7" />
      <path d="M16 6.5 8 9.8v5.4c0 5 3.4 9 8 10.2z" fill="#c2410c" />
      <path d="M16 6.5v18.9c4.6-1.2 8-5.2 8-10.2V9.8z" fill="#3b82f6" />
    </svg>
  )
}
