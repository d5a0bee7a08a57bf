/**
 * HTTP API route selection: `METHOD /path` keys with `{param}` and greedy `{proxy+}` segments, `ANY`, and
 * `$default`. The most specific route wins: literal segments over variables over greedy ones, a method over ANY.
 */
import type { RouteDef } from '../template/model';

type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

export interface CompiledRoute {
  readonly def: RouteDef;
  readonly method: string;
  readonly segments: Segment[];
  readonly isDefault: boolean;
}

export interface RouteMatch {
  readonly route: CompiledRoute;
  readonly pathParameters: Record<string, string> | undefined;
}

export class InvalidRouteError extends Error {
  override name = 'InvalidRouteError';
}

export function compileRoutes(routes: readonly RouteDef[]): CompiledRoute[] {
  return routes.map((def) => {
    if (def.routeKey === '$default') return { def, method: 'ANY', segments: [], isDefault: true };
    const match = /^([A-Z]+)\s+(\/.*)$/.exec(def.routeKey);
    if (!match?.[1] || !match[2])
      throw new InvalidRouteError(`Route key '${def.routeKey}' is not 'METHOD /path' or '$default'`);
    const segments = splitPath(match[2]).map((part): Segment => {
      const greedy = /^\{(.+)\+\}$/.exec(part);
      if (greedy?.[1]) return { kind: 'greedy', name: greedy[1] };
      const param = /^\{(.+)\}$/.exec(part);
      if (param?.[1]) return { kind: 'param', name: param[1] };
      return { kind: 'literal', value: part };
    });
    return { def, method: match[1], segments, isDefault: false };
  });
}

function splitPath(path: string): string[] {
  const parts = path.split('/').slice(1);
  return parts.length === 1 && parts[0] === '' ? [] : parts;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function tryMatch(route: CompiledRoute, parts: string[]): Record<string, string> | undefined | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i];
    if (!segment) return null;
    if (segment.kind === 'greedy') {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return null;
      params[segment.name] = rest.map(decode).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined) return null;
    if (segment.kind === 'literal' && segment.value !== part) return null;
    if (segment.kind === 'param') {
      if (part === '') return null;
      params[segment.name] = decode(part);
    }
  }
  if (parts.length !== route.segments.length) return null;
  return Object.keys(params).length ? params : undefined;
}

/** Specificity: more literal segments first, then more segments, greedy last, a method before ANY. */
function rank(route: CompiledRoute): number[] {
  const literals = route.segments.filter((s) => s.kind === 'literal').length;
  const greedy = route.segments.some((s) => s.kind === 'greedy') ? 1 : 0;
  return [route.isDefault ? 1 : 0, greedy, -literals, -route.segments.length, route.method === 'ANY' ? 1 : 0];
}

export function matchRoute(routes: readonly CompiledRoute[], method: string, path: string): RouteMatch | undefined {
  const parts = path.split('/').slice(1);
  if (parts.length === 1 && parts[0] === '') parts.pop();
  const candidates: RouteMatch[] = [];
  for (const route of routes) {
    if (route.isDefault) {
      candidates.push({ route, pathParameters: undefined });
      continue;
    }
    if (route.method !== 'ANY' && route.method !== method) continue;
    const params = tryMatch(route, parts);
    if (params === null) continue;
    candidates.push({ route, pathParameters: params });
  }
  candidates.sort((a, b) => {
    const ra = rank(a.route);
    const rb = rank(b.route);
    for (let i = 0; i < ra.length; i++) if ((ra[i] ?? 0) !== (rb[i] ?? 0)) return (ra[i] ?? 0) - (rb[i] ?? 0);
    return 0;
  });
  return candidates[0];
}
