/**
 * A small hand-written SVG of the sweep: confirmed checkouts/s against the bound (left) and request-to-final
 * latency p50/p99 (right), one point per concurrency (evenly spaced: the sweep is geometric).
 */
import type { BenchResults } from './results';

interface Series {
  readonly name: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly values: number[];
}

const W = 360;
const H = 240;
const PAD = { left: 52, right: 14, top: 34, bottom: 40 };

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((s) => s * magnitude >= value) ?? 10;
  return step * magnitude;
}

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function panel(x0: number, title: string, unit: string, labels: string[], series: Series[]): string {
  const max = niceMax(Math.max(...series.flatMap((s) => s.values.filter(Number.isFinite))));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const px = (i: number) => x0 + PAD.left + (labels.length === 1 ? plotW / 2 : (i * plotW) / (labels.length - 1));
  const py = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const parts: string[] = [];
  parts.push(`<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`);
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    const y = py(v);
    parts.push(`<line x1="${x0 + PAD.left}" x2="${x0 + W - PAD.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    parts.push(`<text x="${x0 + PAD.left - 6}" y="${y + 4}" text-anchor="end">${+v.toFixed(1)}</text>`);
  }
  parts.push(
    `<text x="${x0 + 12}" y="${PAD.top + plotH / 2}" transform="rotate(-90 ${x0 + 12} ${PAD.top + plotH / 2})" text-anchor="middle">${esc(unit)}</text>`,
  );
  labels.forEach((label, i) => {
    parts.push(`<text x="${px(i)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${esc(label)}</text>`);
  });
  parts.push(`<text x="${x0 + PAD.left + plotW / 2}" y="${H - 6}" text-anchor="middle">checkouts in flight</text>`);
  series.forEach((s, k) => {
    const points = s.values.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="5 4"' : '';
    parts.push(`<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const [i, v] of s.values.entries()) {
      parts.push(`<circle cx="${px(i).toFixed(1)}" cy="${py(v).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
    const ly = PAD.top + 4 + k * 14;
    parts.push(
      `<line x1="${x0 + PAD.left + 8}" x2="${x0 + PAD.left + 26}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`,
    );
    parts.push(`<text x="${x0 + PAD.left + 30}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  return parts.join('\n');
}

export function sweepChart(results: BenchResults): string {
  const labels = results.sweep.map((p) => String(p.concurrency));
  const left = panel(0, 'Throughput', 'checkouts / s', labels, [
    { name: 'confirmed / s', color: '#1f77b4', values: results.sweep.map((p) => p.median.throughput) },
    {
      name: 'bound (DDB Local puts / writes)',
      color: '#d62728',
      dashed: true,
      values: results.sweep.map((p) => p.median.bound),
    },
  ]);
  const right = panel(W, 'Request to final status', 'ms', labels, [
    { name: 'p50', color: '#2ca02c', values: results.sweep.map((p) => p.median.toFinal.p50) },
    { name: 'p99', color: '#ff7f0e', values: results.sweep.map((p) => p.median.toFinal.p99) },
  ]);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 16}" viewBox="0 0 ${2 * W} ${H + 16}" font-family="sans-serif" font-size="11">`,
    '<title>Checkout throughput and request-to-final latency by checkouts in flight (npm run bench)</title>',
    '<rect width="100%" height="100%" fill="white"/>',
    left,
    right,
    `<text x="${W}" y="${H + 12}" text-anchor="middle" fill="#666">${esc(`npm run bench, ${results.startedAt.slice(0, 10)}, ${results.machine.cpus} cores; medians of ${String(results.options.runs)} runs`)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
