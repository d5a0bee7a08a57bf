/**
 * What a route is: its method and path, the function file that serves it, the table access it needs, and the zod
 * schemas of its request and success answer. Each domain declares its own routes (functions/<domain>/routes.ts);
 * the CDK creates one function and one API route per entry, the OpenAPI document is generated from them, and the
 * handler is bound to its entry (http/handler.ts), so validation and documentation cannot drift apart.
 */
import type * as z from 'zod';
import type { Domain } from '../events/catalog';

export type HttpMethod = 'GET' | 'POST';

/** Statuses a route can answer with besides its success (429, 500 and 503 can come from anywhere). */
export type RouteErrorStatus = 400 | 404 | 409 | 413 | 415 | 422;

export interface RouteRequestSchemas {
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly headers?: z.ZodType;
  readonly body?: z.ZodType;
}

export interface RouteSpec {
  readonly method: HttpMethod;
  /** API Gateway path with `{name}` parameters. */
  readonly path: string;
  /** Handler file relative to `functions/`. */
  readonly entry: string;
  /** Table access the handler needs. */
  readonly access: 'read' | 'readWrite';
  readonly summary: string;
  readonly request: RouteRequestSchemas;
  readonly success: { readonly status: 200 | 201 | 202; readonly body: z.ZodType; readonly description: string };
  readonly errors: readonly RouteErrorStatus[];
}

export interface RouteDefinition extends RouteSpec {
  /** Construct id of the function (renaming it replaces the function). */
  readonly id: string;
  readonly domain: Domain;
}

/** A domain's routes, keyed by route id (the key becomes the id, so it is written once). */
export function defineRoutes<const T extends Record<string, RouteSpec>>(
  domain: Domain,
  routes: T,
): { readonly [K in keyof T]: T[K] & { readonly id: K & string; readonly domain: Domain } } {
  return Object.fromEntries(Object.entries(routes).map(([id, route]) => [id, { ...route, id, domain }])) as unknown as {
    readonly [K in keyof T]: T[K] & { readonly id: K & string; readonly domain: Domain };
  };
}
