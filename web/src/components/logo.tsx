export function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" className="logo">
      <rect width="32" height="32" rx="8" fill="var(--accent)" />
      <path d="M8 22l6-7 4 5 3-3 3 5z" fill="#fff" />
      <circle cx="21" cy="11" r="2.5" fill="#fff" />
    </svg>
  );
}
