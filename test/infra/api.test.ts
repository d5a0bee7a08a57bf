/** The HTTP API: exactly the routes of functions/shared/api/routes.ts, each on its own function, one throttled stage. */
import { Match } from 'aws-cdk-lib/assertions';
import { ROUTES } from '../../functions/http-api';
import { DEFAULT_THROTTLE } from '../../lib/constructs/api/commerce-api';
import { type Found, functionOfRoute, pointerOf, pointsTo, resourceById, resourcesOf } from './cfn';
import { logicalIdOf, synthStage } from './synth';

interface RouteProps {
  readonly ApiId: unknown;
  readonly RouteKey: string;
  readonly Target?: unknown;
}
interface IntegrationProps {
  readonly ApiId: unknown;
  readonly IntegrationType: string;
  readonly IntegrationUri: unknown;
  readonly PayloadFormatVersion: string;
}

const { stage, stacks, stateless } = synthStage('dev');
const apiId = logicalIdOf(stacks.stateless.api.httpApi);
const routes = resourcesOf<RouteProps>(stateless, 'AWS::ApiGatewayV2::Route');
const routeKey = (route: (typeof ROUTES)[number]) => `${route.method} ${route.path}`;

/** The integration a route targets (`integrations/<Ref>`). */
function integrationOf(route: Found<RouteProps>): Found<IntegrationProps> {
  const target = route.props.Target as { 'Fn::Join': [string, unknown[]] } | undefined;
  const parts = target?.['Fn::Join']?.[1] ?? [];
  expect(parts[0]).toBe('integrations/');
  const integrationId = pointerOf(parts[1])?.logicalId ?? '';
  return resourceById<IntegrationProps>(stateless, integrationId);
}

function routeFor(definition: (typeof ROUTES)[number]): Found<RouteProps> {
  const matching = routes.filter((route) => route.props.RouteKey === routeKey(definition));
  expect(matching).toHaveLength(1);
  return matching[0] as Found<RouteProps>;
}

/** The function behind a route (the integration's IntegrationUri is the function's Arn). */
const functionOf = (definition: (typeof ROUTES)[number]): string => functionOfRoute(stateless, routeKey(definition));

describe('HTTP API', () => {
  test('is one HTTP API named after the stage', () => {
    stateless.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: `commerce-${stage.name}`, ProtocolType: 'HTTP' });
  });

  test('has every route of the route table and no other', () => {
    expect(routes.map((route) => route.props.RouteKey).sort()).toEqual(ROUTES.map(routeKey).sort());
    for (const route of routes) expect(pointsTo(route.props.ApiId, apiId, 'Ref')).toBe(true);
  });

  test.each(ROUTES.map((route) => [routeKey(route), route] as const))(
    '%s is a Lambda proxy integration with payload format 2.0',
    (_key, definition) => {
      const integration = integrationOf(routeFor(definition)).props;
      expect(integration.IntegrationType).toBe('AWS_PROXY');
      expect(integration.PayloadFormatVersion).toBe('2.0');
      expect(pointerOf(integration.IntegrationUri)?.attribute).toBe('Arn');
      expect(pointsTo(integration.ApiId, apiId, 'Ref')).toBe(true);
    },
  );

  test.each(ROUTES.map((route) => [routeKey(route), route] as const))(
    '%s runs its own function of its domain, which API Gateway may invoke',
    (_key, definition) => {
      const functionId = functionOf(definition);
      const fn = resourceById<{ Description?: string; Environment: { Variables: Record<string, unknown> } }>(
        stateless,
        functionId,
      );
      expect(fn.resource.Type).toBe('AWS::Lambda::Function');
      expect(fn.props.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe(definition.domain);
      const permissions = resourcesOf<{ FunctionName: unknown; Principal: string; SourceArn: unknown }>(
        stateless,
        'AWS::Lambda::Permission',
      ).filter(
        (permission) =>
          permission.props.Principal === 'apigateway.amazonaws.com' &&
          pointsTo(permission.props.FunctionName, functionId, 'Arn'),
      );
      expect(permissions.length).toBeGreaterThan(0);
    },
  );

  test('every route has a function of its own', () => {
    const functions = ROUTES.map(functionOf);
    expect(new Set(functions).size).toBe(ROUTES.length);
  });
});

describe('$default stage', () => {
  test('is the only stage, auto-deployed, throttled with DEFAULT_THROTTLE', () => {
    stateless.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: apiId },
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: Match.objectLike({
        ThrottlingRateLimit: DEFAULT_THROTTLE.rateLimit,
        ThrottlingBurstLimit: DEFAULT_THROTTLE.burstLimit,
      }),
    });
  });

  test('writes JSON access logs to a log group with a retention', () => {
    const [stageResource] = resourcesOf<{ AccessLogSettings?: { DestinationArn: unknown; Format: string } }>(
      stateless,
      'AWS::ApiGatewayV2::Stage',
    );
    const settings = stageResource?.props.AccessLogSettings;
    const destination = pointerOf(settings?.DestinationArn);
    expect(destination?.attribute).toBe('Arn');
    const logGroup = resourceById<{ RetentionInDays?: number }>(stateless, destination?.logicalId ?? '');
    expect(logGroup.resource.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.props.RetentionInDays).toBeGreaterThan(0);
    const format = JSON.parse(settings?.Format ?? '{}') as Record<string, string>;
    expect(Object.values(format)).toEqual(
      expect.arrayContaining(['$context.requestId', '$context.routeKey', '$context.status']),
    );
  });
});
