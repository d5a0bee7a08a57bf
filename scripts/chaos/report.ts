/** The chaos run's table and summary line (printed by `npm run chaos`, pasted into docs/chaos.md). */
import type { ScenarioResult } from './run-scenario';

const HEADERS = ['scenario', 'orders', 'confirmed', 'cancelled', 'repairs', 'DLQ', 'violations', 'time'] as const;

function row(r: ScenarioResult): string[] {
  return [
    r.scenario,
    String(r.accepted),
    String(r.confirmed),
    String(r.cancelled),
    String(r.repairs),
    r.redriven > 0 ? `${r.deadLetters} (${r.redriven} redriven)` : String(r.deadLetters),
    String(r.violations.length),
    `${(r.durationMs / 1000).toFixed(1)} s`,
  ];
}

/** A Markdown table (readable as text too). */
export function formatTable(results: readonly ScenarioResult[]): string {
  const rows = results.map(row);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(HEADERS), rule, ...rows.map(line)].join('\n');
}

export function formatDetails(r: ScenarioResult, maxViolations = 20): string {
  const reasons = Object.entries(r.cancelReasons)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ');
  const lines = [`${r.scenario} (seed ${r.seed}): ${r.injects}`];
  if (reasons) lines.push(`  cancelled: ${reasons}`);
  for (const note of r.notes) lines.push(`  ${note}`);
  for (const v of r.violations.slice(0, maxViolations)) lines.push(`  VIOLATION ${v.check} ${v.subject}: ${v.message}`);
  if (r.violations.length > maxViolations) lines.push(`  ... and ${r.violations.length - maxViolations} more`);
  if (r.dataDir) lines.push(`  data and runtime log kept in ${r.dataDir}`);
  return lines.join('\n');
}

export function summaryLine(results: readonly ScenarioResult[]): string {
  const failed = results.filter((r) => r.violations.length > 0).length;
  return `${results.length - failed} passed, ${failed} failed`;
}
