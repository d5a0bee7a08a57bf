/**
 * Base of the per-domain constructs: creates the domain's API functions from the routes it is handed (one function
 * per route, with the table access the route declares) and offers `addFunction` for its other functions.
 */
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { Domain } from '../../../functions/shared/events/catalog';
import type { RouteDefinition } from '../../../functions/shared/http/route';
import { AppFunction, type AppFunctionProps } from '../app-function';

export interface DomainServiceProps {
  readonly table: ITable;
  /** The domain's HTTP routes (functions/<domain>/routes.ts): one function each. @default none */
  readonly routes?: readonly RouteDefinition[];
}

export abstract class DomainService extends Construct {
  /** API functions by route id. */
  readonly routeFunctions = new Map<string, AppFunction>();

  protected constructor(
    scope: Construct,
    id: string,
    readonly domain: Domain,
    protected readonly props: DomainServiceProps,
  ) {
    super(scope, id);
    for (const route of props.routes ?? []) {
      if (route.domain !== domain) {
        throw new Error(
          `Route ${route.id} belongs to the ${route.domain} domain, not to ${domain}: hand it to its own service`,
        );
      }
      const fn = new AppFunction(this, route.id, {
        entry: route.entry,
        domain,
        description: `${route.method} ${route.path}`,
      });
      this.routeFunctions.set(route.id, fn.bindTable(props.table, route.access));
    }
  }

  protected addFunction(
    id: string,
    props: Omit<AppFunctionProps, 'domain'> & { readonly access: 'read' | 'readWrite' },
  ): AppFunction {
    const { access, ...rest } = props;
    return new AppFunction(this, id, { ...rest, domain: this.domain }).bindTable(this.props.table, access);
  }
}
