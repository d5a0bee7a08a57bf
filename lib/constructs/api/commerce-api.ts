/**
 * The HTTP API (API Gateway v2, payload format 2.0): one route per entry of the route table, each integrated with
 * its own function; a `$default` stage with throttling and JSON access logs.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES } from '../../../functions/http-api';
import { acknowledgePublicApi } from '../../nag-suppressions';

export interface CommerceApiProps {
  readonly apiName: string;
  /** The function of every route id in the route table. */
  readonly routeFunctions: ReadonlyMap<string, IFunction>;
  /** @default 100 requests per second, bursts of 200 */
  readonly throttle?: ThrottleSettings;
}

export const DEFAULT_THROTTLE: ThrottleSettings = { rateLimit: 100, burstLimit: 200 };

export class CommerceApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: CommerceApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', { apiName: props.apiName, createDefaultStage: false });
    acknowledgePublicApi(this.httpApi);
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? DEFAULT_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            ip: '$context.identity.sourceIp',
            time: '$context.requestTime',
          }),
        ),
      },
    });
    for (const route of ROUTES) {
      const fn = props.routeFunctions.get(route.id);
      if (!fn)
        throw new Error(
          `No function for route ${route.id} (${route.method} ${route.path}); every route in functions/shared/api/routes.ts needs one`,
        );
      this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.id}Integration`, fn),
      });
    }
  }

  get url(): string {
    return this.httpApi.apiEndpoint;
  }
}
