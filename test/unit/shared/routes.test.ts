/** Each route is declared once, by its domain, and its handler is bound to that declaration. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTES, ROUTES_BY_DOMAIN } from '../../../functions/http-api';

const source = (entry: string) => readFileSync(join(__dirname, '../../../functions', entry), 'utf8');

test.each(ROUTES.map((route) => [route.id, route] as const))(
  '%s: its handler is apiHandler(<its route>)',
  (id, route) => {
    const text = source(route.entry);
    const bound = new RegExp(`apiHandler\\(\\s*[A-Z_]+_ROUTES\\.${id}\\s*,`);
    expect({ entry: route.entry, bound: bound.test(text) }).toEqual({ entry: route.entry, bound: true });
    // The schemas are the route's: a handler parses nothing by hand.
    expect(text).not.toMatch(/\bparse(Body|Path|Query|Headers)\(/);
  },
);

test('every route is declared by the domain that owns it, once', () => {
  for (const [domain, routes] of Object.entries(ROUTES_BY_DOMAIN)) {
    for (const route of routes) {
      expect({ id: route.id, domain: route.domain }).toEqual({ id: route.id, domain });
      expect(route.entry.startsWith(`${domain}/handlers/`)).toBe(true);
    }
  }
  const keys = ROUTES.map((route) => `${route.method} ${route.path}`);
  expect(new Set(keys).size).toBe(keys.length);
  expect(new Set(ROUTES.map((route) => route.id)).size).toBe(ROUTES.length);
});

test('functions/shared knows no domain (the route table lives beside its domains)', () => {
  const shared = ['http/route.ts', 'http/handler.ts'].map((file) => source(`shared/${file}`));
  for (const text of shared)
    expect(text).not.toMatch(/from '\.\.\/\.\.\/(catalog|inventory|orders|payments|notifications)\//);
});
