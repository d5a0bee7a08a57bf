/**
 * The chaos run's table and summary line, printed by `npm run chaos` and written by `npm run chaos -- --docs` into
 * docs/chaos.md (`chaos:results` block) and the README (`chaos:readme` block).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** `14 min 19 s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? `${minutes} min ${seconds % 60} s` : `${seconds} s`;
}

/** `300 orders each`, or `300 orders each (hot-sku 200)` when a scenario placed its own number. */
export function ordersPhrase(results: readonly ScenarioResult[]): string {
  const counts = new Map<number, string[]>();
  for (const r of results) counts.set(r.planned, [...(counts.get(r.planned) ?? []), r.scenario]);
  const [common] = [...counts].sort((a, b) => b[1].length - a[1].length)[0] ?? [0];
  const others = [...counts].filter(([n]) => n !== common).flatMap(([n, names]) => names.map((s) => `${s} ${n}`));
  return `${common} orders each${others.length ? ` (${others.join(', ')})` : ''}`;
}

export interface RunInfo {
  readonly seed: number;
  readonly startedAt: Date;
  readonly durationMs: number;
}

/** Replaces what is between `<!-- name:start -->` and `<!-- name:end -->` in a file's text. */
export function replaceBlock(text: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`no ${start} ... ${end} block`);
  return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}

/** The docs/chaos.md block (`chaos:results`) and the README block (`chaos:readme`) of a full run. */
export function docsBlocks(results: readonly ScenarioResult[], run: RunInfo): { docs: string; readme: string } {
  const day = run.startedAt.toISOString().slice(0, 10);
  const table = `\`\`\`\n${formatTable(results)}\n\n${summaryLine(results)}\n\`\`\``;
  const orders = ordersPhrase(results);
  return {
    docs:
      `\`npm run chaos\` on ${day} (2 cores, seed ${run.seed}, ${orders.replace('each', 'per scenario')}; ` +
      `${formatDuration(run.durationMs)} in all):\n\n${table}`,
    readme: `Latest full run (${day}, seed ${run.seed}, ${orders}, ${formatDuration(run.durationMs)}):\n\n${table}`,
  };
}

/** `npm run chaos -- --docs`: the run's table into docs/chaos.md and the README's chaos block. */
export function writeResultsIntoDocs(projectDir: string, results: readonly ScenarioResult[], run: RunInfo): string[] {
  const blocks = docsBlocks(results, run);
  const files: [string, string, string][] = [
    [join(projectDir, 'docs', 'chaos.md'), 'chaos:results', blocks.docs],
    [join(projectDir, 'README.md'), 'chaos:readme', blocks.readme],
  ];
  for (const [file, name, content] of files)
    writeFileSync(file, replaceBlock(readFileSync(file, 'utf8'), name, content));
  return files.map(([file]) => file);
}
