/**
 * OpenAPI 3.1 for the HTTP API, generated from THE route table (functions/shared/api/routes.ts) and the zod schemas
 * the handlers validate with. `npm run contracts` writes docs/api/openapi.json; a unit test fails when it is stale.
 *
 * Every schema is written as zod's input (`io: 'input'`): for a request, what the handler accepts (a query parameter
 * with a default is optional, a strict body rejects unknown keys); for a response, what a client must accept. zod's
 * output would close every `z.object` with `additionalProperties: false`, which would make adding a response field a
 * breaking change for clients that validate strictly.
 */
import type * as z from 'zod';
import { productView } from '../../functions/catalog/contract';
import { ROUTES, type RouteDefinition } from '../../functions/http-api';
import { stockView } from '../../functions/inventory/contract';
import { customerIdSchema, orderIdSchema, orderStatusSchema, orderView } from '../../functions/orders/contract';
import { paymentStatusSchema } from '../../functions/payments/contract';
import {
  cancelReasonSchema,
  currencySchema,
  notificationTypeSchema,
  skuSchema,
} from '../../functions/shared/events/catalog';
import { CORRELATION_ID_PATTERN as CORRELATION_ID_REGEX } from '../../functions/shared/http/request';
import { version } from '../../package.json';
import {
  badRequestBody,
  ERROR_STATUS_TEXT,
  type ErrorStatus,
  errorBody,
  gatewayMessage,
  internalErrorBody,
} from './http-errors';
import { ERROR_EXAMPLES, ROUTE_EXAMPLES } from './http-examples';
import { convertNamed, type JsonSchema, SchemaNames, TIMESTAMP_COMPONENT, timestampSchema } from './json-schema';
import { writeContract } from './render';

export const OPENAPI_FILE = 'docs/api/openapi.json';

const SCHEMAS = '#/components/schemas/';
const ref = (base: string, name: string) => ({ $ref: `${base}${name}` });

/** The correlation id the API accepts and echoes (defined in functions/shared/http/request.ts). */
export const CORRELATION_ID_PATTERN = CORRELATION_ID_REGEX.source;

/** Schemas met in many places: written once as components and referenced (the others are named after a route). */
const SHARED: readonly [string, z.ZodType][] = [
  ['Sku', skuSchema],
  ['Currency', currencySchema],
  ['OrderId', orderIdSchema],
  ['CustomerId', customerIdSchema],
  ['OrderStatus', orderStatusSchema],
  ['CancelReason', cancelReasonSchema],
  ['PaymentStatus', paymentStatusSchema],
  ['NotificationType', notificationTypeSchema],
  ['Product', productView],
  ['Stock', stockView],
  ['Order', orderView],
];

/** The shared error responses, by status: their component name and the schema of their body. */
const ERROR_RESPONSES: Record<ErrorStatus, { readonly name: string; readonly schema: string }> = {
  400: { name: 'BadRequest', schema: 'BadRequestError' },
  404: { name: 'NotFound', schema: 'Error' },
  409: { name: 'Conflict', schema: 'Error' },
  413: { name: 'PayloadTooLarge', schema: 'Error' },
  415: { name: 'UnsupportedMediaType', schema: 'Error' },
  422: { name: 'Unprocessable', schema: 'Error' },
  429: { name: 'TooManyRequests', schema: 'GatewayMessage' },
  500: { name: 'InternalError', schema: 'InternalError' },
  503: { name: 'TemporarilyUnavailable', schema: 'Error' },
};

/** Statuses every route can answer besides those in its route entry. */
const EVERY_ROUTE: readonly ErrorStatus[] = [429, 500, 503];

/** Descriptions of request parameters that are not self-explanatory (by name). */
const PARAMETER_TEXT: Readonly<Record<string, string>> = {
  limit: 'Page size.',
  cursor: 'The `nextCursor` of the previous page; omit it for the first page.',
  'Idempotency-Key':
    'Makes the request safe to retry: the same key with the same body returns the first answer (with `Idempotent-Replayed: true`); the same key with another body is 409 IDEMPOTENCY_KEY_REUSED.',
};

const lowerMethod = (route: RouteDefinition) => route.method.toLowerCase() as 'get' | 'post';

/** HTTP header names are case-insensitive; API Gateway lowercases them, documents use the canonical casing. */
const headerName = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

// Schemas ------------------------------------------------------------------------------------------------------------

/** Names every schema the document needs: shared ones first, then each route's (by identity, so reuse is one name). */
function nameSchemas(): SchemaNames {
  const names = new SchemaNames();
  for (const [name, schema] of SHARED) names.name(schema, name);
  for (const route of ROUTES) {
    const { params, query, headers, body } = route.request;
    if (params) names.name(params, `${route.id}PathParameters`);
    if (query) names.name(query, `${route.id}QueryParameters`);
    if (headers) names.name(headers, `${route.id}HeaderParameters`);
    if (body) names.name(body, `${route.id}Request`);
    names.name(route.success.body, `${route.id}Response`);
  }
  names.name(errorBody, 'Error');
  names.name(badRequestBody, 'BadRequestError');
  names.name(internalErrorBody, 'InternalError');
  names.name(gatewayMessage, 'GatewayMessage');
  return names;
}

interface ConvertedSchemas {
  readonly names: SchemaNames;
  readonly schemas: Map<string, JsonSchema>;
}

function convertSchemas(): ConvertedSchemas {
  const names = nameSchemas();
  return { names, schemas: convertNamed(names, { target: 'draft-2020-12', io: 'input', refBase: SCHEMAS }) };
}

/** Parameter objects are split into parameters, never referenced: they stay out of the components. */
const isParameterObject = (name: string) => /(Path|Query|Header)Parameters$/.test(name);

function schemaComponents(converted: ConvertedSchemas): Record<string, JsonSchema> {
  const named = [...converted.schemas].filter(([name]) => !isParameterObject(name));
  return { [TIMESTAMP_COMPONENT]: timestampSchema('draft-2020-12'), ...Object.fromEntries(named) };
}

// Operations ---------------------------------------------------------------------------------------------------------

type ParameterLocation = 'path' | 'query' | 'header';

function parametersOf(schema: JsonSchema | undefined, location: ParameterLocation): JsonSchema[] {
  if (!schema) return [];
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const documented = location === 'header' ? headerName(name) : name;
    const description = PARAMETER_TEXT[documented];
    return {
      name: documented,
      in: location,
      required: location === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: property,
    };
  });
}

function operationParameters(route: RouteDefinition, converted: ConvertedSchemas): JsonSchema[] {
  const { params, query, headers } = route.request;
  const schemaOf = (schema: z.ZodType | undefined) =>
    schema ? converted.schemas.get(converted.names.nameOf(schema)) : undefined;
  return [
    ...parametersOf(schemaOf(params), 'path'),
    ...parametersOf(schemaOf(query), 'query'),
    ...parametersOf(schemaOf(headers), 'header'),
    ref('#/components/parameters/', 'CorrelationId'),
  ];
}

const acceptsIdempotencyKey = (route: RouteDefinition, converted: ConvertedSchemas): boolean =>
  operationParameters(route, converted).some((p) => 'name' in p && p.name === 'Idempotency-Key');

const idempotentRoutes = (converted: ConvertedSchemas): string[] =>
  ROUTES.filter((route) => acceptsIdempotencyKey(route, converted)).map((route) => `\`${route.method} ${route.path}\``);

function requestBody(route: RouteDefinition, converted: ConvertedSchemas): JsonSchema | undefined {
  const { body } = route.request;
  if (!body) return undefined;
  const example = ROUTE_EXAMPLES[route.id]?.request;
  return {
    required: true,
    content: {
      'application/json': {
        schema: ref(SCHEMAS, converted.names.nameOf(body)),
        ...(example === undefined ? {} : { examples: { [route.id]: { value: example } } }),
      },
    },
  };
}

function successResponse(route: RouteDefinition, converted: ConvertedSchemas): JsonSchema {
  const example = ROUTE_EXAMPLES[route.id]?.response;
  return {
    description: route.success.description,
    headers: {
      'x-correlation-id': ref('#/components/headers/', 'CorrelationId'),
      ...(acceptsIdempotencyKey(route, converted)
        ? { 'Idempotent-Replayed': ref('#/components/headers/', 'IdempotentReplayed') }
        : {}),
    },
    content: {
      'application/json': {
        schema: ref(SCHEMAS, converted.names.nameOf(route.success.body)),
        ...(example === undefined ? {} : { examples: { [route.id]: { value: example } } }),
      },
    },
  };
}

function operation(route: RouteDefinition, converted: ConvertedSchemas): JsonSchema {
  const statuses = [...new Set<ErrorStatus>([...route.errors, ...EVERY_ROUTE])].sort((a, b) => a - b);
  const body = requestBody(route, converted);
  return {
    operationId: route.id,
    summary: route.summary,
    tags: [route.domain],
    parameters: operationParameters(route, converted),
    ...(body ? { requestBody: body } : {}),
    responses: {
      [String(route.success.status)]: successResponse(route, converted),
      ...Object.fromEntries(
        statuses.map((status) => [String(status), ref('#/components/responses/', ERROR_RESPONSES[status].name)]),
      ),
    },
  };
}

function paths(converted: ConvertedSchemas): Record<string, Record<string, JsonSchema>> {
  const out: Record<string, Record<string, JsonSchema>> = {};
  for (const route of ROUTES) {
    const item = out[route.path] ?? {};
    item[lowerMethod(route)] = operation(route, converted);
    out[route.path] = item;
  }
  return out;
}

// Shared components --------------------------------------------------------------------------------------------------

function errorResponses(): Record<string, JsonSchema> {
  const exampleOf = (status: ErrorStatus): unknown => (ERROR_EXAMPLES as Record<number, unknown>)[status];
  const responses: Record<string, JsonSchema> = {};
  for (const [code, { name, schema }] of Object.entries(ERROR_RESPONSES)) {
    const status = Number(code) as ErrorStatus;
    const example = exampleOf(status);
    const media =
      status === 500
        ? { schema: { anyOf: [ref(SCHEMAS, schema), ref(SCHEMAS, 'GatewayMessage')] } }
        : { schema: ref(SCHEMAS, schema) };
    responses[name] = {
      description: ERROR_STATUS_TEXT[status],
      // API Gateway's own answers (429, a crashed function) never reach the handler, so they carry no correlation id.
      ...(status === 429
        ? {}
        : {
            headers: {
              'x-correlation-id': ref('#/components/headers/', 'CorrelationId'),
              ...(status === 503
                ? { 'retry-after': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } }
                : {}),
            },
          }),
      content: {
        'application/json': {
          ...media,
          ...(example === undefined ? {} : { examples: { [name]: { value: example } } }),
        },
      },
    };
  }
  return responses;
}

const correlationIdSchema = { type: 'string', pattern: CORRELATION_ID_PATTERN };

const PARAMETERS = {
  CorrelationId: {
    name: 'x-correlation-id',
    in: 'header',
    required: false,
    description:
      'Follows the request through the saga and every event it causes. When absent or malformed, the API uses its request id; the response always echoes the one used.',
    schema: correlationIdSchema,
  },
};

const HEADERS = {
  CorrelationId: {
    description:
      'The correlation id of this request (the caller’s, or the API request id), also in every log line and event.',
    schema: correlationIdSchema,
  },
  IdempotentReplayed: {
    description: '`true` when this answer replays the first request made with the same Idempotency-Key.',
    schema: { type: 'string', enum: ['true'] },
  },
};

// Document -----------------------------------------------------------------------------------------------------------

const DOMAIN_TEXT: Readonly<Record<RouteDefinition['domain'], string>> = {
  catalog: 'Products and prices.',
  inventory: 'Stock levels per sku: available, reserved by orders in flight, sold, restocked.',
  orders: 'Orders, their checkout saga outcome, and each customer’s order list.',
  payments: 'Payments of an order (authorized, captured, declined, voided, refunded).',
  notifications: 'What the customer was told, once per order and kind.',
  platform: 'Operational events (the reconciler).',
};

/** The OpenAPI 3.1 document of the HTTP API (pure: same code, same document). */
export function buildOpenApi(): Record<string, unknown> {
  const converted = convertSchemas();
  const domains = [...new Set(ROUTES.map((route) => route.domain))];
  return {
    openapi: '3.1.0',
    info: {
      title: 'Serverless commerce API',
      version,
      summary: 'Catalog, inventory, orders (with an asynchronous checkout saga), payments and notifications.',
      description: [
        'Every 4xx/5xx raised by the platform is `{"error": {"code", "message", "details?"}}`; API Gateway’s own answers (429 throttling, a crashed function) are `{"message"}`.',
        'Requests with a body must be `application/json`.',
        `Routes that accept an \`Idempotency-Key\` header: ${idempotentRoutes(converted).join(', ')}.`,
        'Events the API causes are described in docs/api/asyncapi.json.',
      ].join(' '),
      license: { name: 'MIT-0', identifier: 'MIT-0' },
    },
    servers: [
      { url: 'http://127.0.0.1:3000', description: 'Local runtime (`npm start`; PORT or --port changes the port).' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'AWS (`cdk deploy`): the HTTP API `$default` stage; its URL is a stack output.',
        variables: {
          apiId: { default: 'abcdef1234', description: 'The HTTP API id.' },
          region: { default: 'us-east-1', description: 'The region the stage is deployed to.' },
        },
      },
    ],
    tags: domains.map((name) => ({ name, description: DOMAIN_TEXT[name] })),
    paths: paths(converted),
    components: {
      schemas: schemaComponents(converted),
      parameters: PARAMETERS,
      headers: HEADERS,
      responses: errorResponses(),
    },
  };
}

if (require.main === module) {
  writeContract(OPENAPI_FILE, buildOpenApi());
}
