/**
 * The OpenAPI document (scripts/contracts/openapi.ts): a valid OpenAPI 3.1 document, exactly the routes of the
 * synthesized template, every route entry documented, examples that the API would accept (or give), and error schemas
 * that match what the one error mapper really answers.
 */
import type * as z from 'zod';
import { ROUTES, type RouteDefinition } from '../../functions/http-api';
import { placeOrderBody } from '../../functions/orders/contract';
import { NotFoundError, TransientError } from '../../functions/shared/errors';
import { toErrorResponse } from '../../functions/shared/http/errors';
import { correlationIdOf, MAX_BODY_BYTES, parseBody } from '../../functions/shared/http/request';
import { badRequestBody, errorBody, internalErrorBody } from '../../scripts/contracts/http-errors';
import { ERROR_EXAMPLES, ROUTE_EXAMPLES } from '../../scripts/contracts/http-examples';
import { buildOpenApi, CORRELATION_ID_PATTERN } from '../../scripts/contracts/openapi';
import { apiEvent } from '../helpers/api-event';
import { validateOpenApi } from '../helpers/openapi-validator';
import { resourcesOf } from '../infra/cfn';
import { synthStage } from '../infra/synth';
import { documentSchemas } from './document-schemas';

interface MediaType {
  readonly schema: { readonly $ref?: string };
  readonly examples?: Record<string, { readonly value: unknown }>;
}
interface Response {
  readonly $ref?: string;
  readonly content?: Record<string, MediaType>;
  readonly headers?: Record<string, unknown>;
}
interface Parameter {
  readonly name?: string;
  readonly in?: string;
  readonly required?: boolean;
  readonly $ref?: string;
}
interface Operation {
  readonly operationId: string;
  readonly parameters: Parameter[];
  readonly requestBody?: { readonly required: boolean; readonly content: Record<string, MediaType> };
  readonly responses: Record<string, Response>;
}
interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { readonly schemas: Record<string, unknown>; readonly responses: Record<string, Response> };
}

const document = buildOpenApi() as unknown as OpenApiDocument;
const schemas = documentSchemas(document, 'draft-2020-12');
const routeKey = (route: RouteDefinition) => `${route.method} ${route.path}`;

function operationOf(route: RouteDefinition): Operation {
  const operation = document.paths[route.path]?.[route.method.toLowerCase()];
  if (!operation) throw new Error(`${routeKey(route)} is not in the document`);
  return operation;
}

const json = (media: Record<string, MediaType> | undefined): MediaType => {
  const found = media?.['application/json'];
  if (!found) throw new Error('no application/json content');
  return found;
};

test('is a valid OpenAPI 3.1 document', () => {
  const [result] = validateOpenApi([document]);
  expect(result).toEqual({ valid: true });
  expect(document.openapi).toBe('3.1.0');
});

describe('the routes of the synthesized template', () => {
  const { stateless } = synthStage('dev');
  const templateRoutes = resourcesOf<{ RouteKey: string }>(stateless, 'AWS::ApiGatewayV2::Route')
    .map((route) => route.props.RouteKey)
    .sort();
  const documentRoutes = Object.entries(document.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();

  test('are exactly the operations of the document, and the other way round', () => {
    expect(templateRoutes.length).toBeGreaterThan(0);
    expect(documentRoutes).toEqual(templateRoutes);
  });
});

describe.each(ROUTES.map((route) => [routeKey(route), route] as const))('%s', (_key, route) => {
  const operation = operationOf(route);

  test('is documented under its route id with every path parameter', () => {
    expect(operation.operationId).toBe(route.id);
    const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
    const documented = operation.parameters.filter((p) => p.in === 'path');
    expect(documented.map((p) => p.name)).toEqual(inPath);
    expect(documented.every((p) => p.required)).toBe(true);
  });

  test('documents its query and header parameters and the correlation id', () => {
    const names = (schema: z.ZodType | undefined) =>
      schema ? Object.keys((schema as unknown as z.ZodObject).shape) : [];
    expect(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(names(route.request.query));
    expect(operation.parameters.filter((p) => p.in === 'header').map((p) => p.name?.toLowerCase())).toEqual(
      names(route.request.headers),
    );
    expect(operation.parameters).toContainEqual({ $ref: '#/components/parameters/CorrelationId' });
  });

  test('has a required JSON body exactly when the route validates one', () => {
    if (route.request.body) {
      expect(operation.requestBody?.required).toBe(true);
      expect(json(operation.requestBody?.content).schema.$ref).toMatch(/^#\/components\/schemas\//);
    } else {
      expect(operation.requestBody).toBeUndefined();
    }
  });

  test('answers its success status and every error status of the route, plus 429, 500 and 503', () => {
    const statuses = Object.keys(operation.responses).map(Number);
    expect(statuses).toEqual(
      [route.success.status, ...new Set([...route.errors, 429, 500, 503])].sort((a, b) => a - b),
    );
    const success = operation.responses[String(route.success.status)];
    expect(success?.headers).toHaveProperty('x-correlation-id');
    expect(json(success?.content).schema.$ref).toMatch(/^#\/components\/schemas\//);
  });
});

describe('examples', () => {
  /** Every example in the document with the schema of the media type it sits in. */
  function examplesIn(): { readonly where: string; readonly schema: unknown; readonly value: unknown }[] {
    const found: { where: string; schema: unknown; value: unknown }[] = [];
    const collect = (where: string, media: MediaType | undefined) => {
      for (const [name, example] of Object.entries(media?.examples ?? {})) {
        found.push({ where: `${where} ${name}`, schema: media?.schema, value: example.value });
      }
    };
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        collect(`${method} ${path} request`, operation.requestBody?.content['application/json']);
        for (const [status, response] of Object.entries(operation.responses)) {
          collect(`${method} ${path} ${status}`, response.content?.['application/json']);
        }
      }
    }
    for (const [name, response] of Object.entries(document.components.responses)) {
      collect(`response ${name}`, response.content?.['application/json']);
    }
    return found;
  }

  const all = examplesIn();

  test('include the request and response of POST /orders and the shared error responses', () => {
    const where = all.map((example) => example.where);
    expect(where).toEqual(
      expect.arrayContaining([
        'post /orders request PlaceOrder',
        'post /orders 202 PlaceOrder',
        'response BadRequest BadRequest',
        'response TooManyRequests TooManyRequests',
        'response InternalError InternalError',
      ]),
    );
  });

  test.each(all.map((example) => [example.where, example] as const))(
    '%s validates against its schema in the document',
    (_where, example) => {
      expect(schemas.errors(example.schema, example.value)).toEqual([]);
    },
  );

  test.each(Object.entries(ROUTE_EXAMPLES))('%s examples parse with the zod schemas of the route', (id, examples) => {
    const route = ROUTES.find((r) => r.id === id);
    if (!route) throw new Error(`ROUTE_EXAMPLES names an unknown route ${id}`);
    if (examples.request !== undefined) expect(route.request.body?.safeParse(examples.request).success).toBe(true);
    if (examples.response !== undefined) expect(route.success.body.safeParse(examples.response).success).toBe(true);
  });

  test('response schemas tolerate a field added later (clients must ignore unknown fields)', () => {
    const success = operationOf(ROUTES.find((r) => r.id === 'PlaceOrder') as RouteDefinition).responses['202'];
    const example = ROUTE_EXAMPLES.PlaceOrder?.response as object;
    expect(schemas.errors(json(success?.content).schema, { ...example, addedLater: true })).toEqual([]);
  });

  test('the documented schemas reject what the handlers reject', () => {
    const orderSchema = json(
      operationOf(ROUTES.find((r) => r.id === 'PlaceOrder') as RouteDefinition).requestBody?.content,
    ).schema;
    const valid = ROUTE_EXAMPLES.PlaceOrder?.request as { items: { sku: string; quantity: number }[] };
    const invalid = [
      { ...valid, items: [] },
      { ...valid, items: [{ sku: 'lowercase', quantity: 1 }] },
      { ...valid, paymentToken: 'has spaces' },
      { ...valid, extra: true },
    ];
    for (const body of invalid) {
      expect(placeOrderBody.safeParse(body).success).toBe(false);
      expect(schemas.errors(orderSchema, body)).not.toEqual([]);
    }
  });
});

describe('error responses match the error mapper', () => {
  const errorSchema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const bodyOf = (error: unknown): unknown => JSON.parse(toErrorResponse(error).body ?? 'null');

  function failureOf(run: () => unknown): unknown {
    try {
      run();
    } catch (error) {
      return error;
    }
    throw new Error('expected a failure');
  }

  test('400 VALIDATION_FAILED is exactly the documented example for that request', () => {
    const body = { ...(ROUTE_EXAMPLES.PlaceOrder?.request as object), items: [{ sku: 'TSHIRT-RED-M', quantity: 0 }] };
    const answer = bodyOf(failureOf(() => parseBody(apiEvent('POST /orders', { body }), placeOrderBody)));
    expect(answer).toEqual(ERROR_EXAMPLES[400]);
    expect(badRequestBody.safeParse(answer).success).toBe(true);
    expect(schemas.errors(errorSchema('BadRequestError'), answer)).toEqual([]);
  });

  test('400 INVALID_JSON, 413 and 415 have the documented shapes', () => {
    const invalidJson = apiEvent('POST /orders', { body: '{', rawBody: true });
    const tooLarge = apiEvent('POST /orders', { body: 'x'.repeat(MAX_BODY_BYTES + 1), rawBody: true });
    const notJson = apiEvent('POST /orders', { body: 'a=b', rawBody: true, headers: { 'content-type': 'text/plain' } });
    const badRequest = bodyOf(failureOf(() => parseBody(invalidJson, placeOrderBody)));
    expect(badRequestBody.safeParse(badRequest).success).toBe(true);
    expect(schemas.errors(errorSchema('BadRequestError'), badRequest)).toEqual([]);
    for (const event of [tooLarge, notJson]) {
      const answer = bodyOf(failureOf(() => parseBody(event, placeOrderBody)));
      expect(errorBody.safeParse(answer).success).toBe(true);
      expect(schemas.errors(errorSchema('Error'), answer)).toEqual([]);
    }
  });

  test('404 has the shared error shape', () => {
    const answer = bodyOf(new NotFoundError('Order', '01JDQ3ZK5W0Y8V9XG7H2M4N6PB'));
    expect(errorBody.safeParse(answer).success).toBe(true);
    expect(schemas.errors(errorSchema('Error'), answer)).toEqual([]);
  });

  test('500 INTERNAL_ERROR is exactly the documented example', () => {
    const answer = bodyOf(new Error('a bug'));
    expect(answer).toEqual(ERROR_EXAMPLES[500]);
    expect(internalErrorBody.safeParse(answer).success).toBe(true);
    expect(schemas.errors(json(document.components.responses.InternalError?.content).schema, answer)).toEqual([]);
  });

  test('503 TEMPORARILY_UNAVAILABLE (throttled after every retry) is the documented example, with Retry-After', () => {
    const response = toErrorResponse(new TransientError('TransactWriteItems kept failing (ThrottlingError)'));
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('1');
    const answer = bodyOf(new TransientError('throttled'));
    expect(answer).toEqual(ERROR_EXAMPLES[503]);
    expect(schemas.errors(errorSchema('Error'), answer)).toEqual([]);
    expect(document.components.responses.TemporarilyUnavailable?.headers).toHaveProperty('retry-after');
  });
});

test('the documented x-correlation-id pattern is the one the API accepts', () => {
  const pattern = new RegExp(CORRELATION_ID_PATTERN);
  const samples = ['abc', 'ok:1.2_3-4', 'a'.repeat(128), 'a'.repeat(129), 'has space', '', 'é', 'a/b'];
  for (const sample of samples) {
    const used = correlationIdOf(apiEvent('GET /products', { headers: { 'x-correlation-id': sample } }));
    expect({ sample, accepted: used === sample }).toEqual({ sample, accepted: pattern.test(sample) });
  }
});
