/**
 * Generates the README's reference tables from the code that defines them (routes, events, data model), so the
 * README cannot drift: `npm run docs` rewrites the marked sections, and a unit test fails when they are stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTES } from '../functions/http-api';
import { EVENT_CATALOG } from '../functions/shared/events/catalog';
import { SUBSCRIPTIONS } from '../functions/shared/events/subscriptions';

export const README_PATH = join(__dirname, '..', 'README.md');

function routesTable(): string {
  const rows = ROUTES.map(
    (r) =>
      `| \`${r.method} ${r.path}\` | ${r.summary} | ${r.success.status} | ${r.errors.join(', ')} | \`functions/${r.entry}\` |`,
  );
  return ['| Route | What it does | Success | Errors | Handler |', '|---|---|---|---|---|', ...rows].join('\n');
}

function eventsTable(): string {
  const consumersOf = (type: string, version: number) =>
    Object.values(SUBSCRIPTIONS)
      .filter((s) => s.events.some((e) => e.type === type && e.version === version))
      .map((s) => `${s.id} (${s.consumer})`);
  const rows = EVENT_CATALOG.map((d) => {
    const consumers = consumersOf(d.type, d.version);
    return `| \`${d.type}\` | ${d.version} | ${d.producer} (\`${d.source}\`) | ${consumers.length > 0 ? consumers.join(', ') : 'archive only'} | ${d.description} |`;
  });
  return ['| Type | Version | Producer (source) | Consumers | Meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

export const SECTIONS: Record<string, () => string> = { routes: routesTable, events: eventsTable };

/** The README with every marked section replaced by its generated content. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(SECTIONS)) {
    const start = `<!-- generated:${name}:start -->`;
    const end = `<!-- generated:${name}:end -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md has no ${start} ... ${end} section`);
    out = `${out.slice(0, from + start.length)}\n${render()}\n${out.slice(to)}`;
  }
  return out;
}

if (require.main === module) {
  const current = readFileSync(README_PATH, 'utf8');
  const next = renderReadme(current);
  writeFileSync(README_PATH, next);
  console.log(next === current ? 'README.md tables are up to date' : 'README.md tables regenerated');
}
