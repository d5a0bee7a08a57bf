/**
 * Base of the per-domain constructs: creates the domain's API functions from the route table (one function per
 * route, with the table access the route declares) and offers `addFunction` for its other functions.
 */
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { ROUTES } from '../../../functions/shared/api/routes';
import type { Domain } from '../../../functions/shared/events/catalog';
import { AppFunction, type AppFunctionProps } from '../app-function';

export interface DomainServiceProps {
  readonly table: ITable;
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
    for (const route of ROUTES.filter((r) => r.domain === domain)) {
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
