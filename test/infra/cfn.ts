/**
 * Small readers for synthesized templates: typed resources, what a reference points to (also across the two stacks),
 * intrinsic values flattened to strings, IAM statements of a role, and the state machine definition as JSON.
 */
import type { Template } from 'aws-cdk-lib/assertions';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface Found<P> {
  readonly id: string;
  readonly props: P;
  readonly resource: CfnResource;
}

type TemplateJson = {
  Resources?: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
};

const json = (template: Template): TemplateJson => template.toJSON() as TemplateJson;

/** Every resource of one type, with its properties typed by the caller. */
export function resourcesOf<P>(template: Template, type: string): Found<P>[] {
  return Object.entries(json(template).Resources ?? {})
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => ({ id, resource, props: (resource.Properties ?? {}) as P }));
}

/** One resource by logical id (fails the test when it is missing). */
export function resourceById<P>(template: Template, id: string): Found<P> {
  const resource = json(template).Resources?.[id];
  if (!resource) throw new Error(`No resource ${id} in the template`);
  return { id, resource, props: (resource.Properties ?? {}) as P };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value a cross-stack reference reads from the producing stack (Fn::GetStackOutput or Fn::ImportValue). */
function crossStackValue(value: Record<string, unknown>, producer?: Template): unknown {
  if (!producer) return undefined;
  const outputs = json(producer).Outputs ?? {};
  const getStackOutput = value['Fn::GetStackOutput'];
  if (isRecord(getStackOutput) && typeof getStackOutput.OutputName === 'string') {
    return outputs[getStackOutput.OutputName]?.Value;
  }
  const importValue = value['Fn::ImportValue'];
  if (typeof importValue === 'string') {
    return Object.values(outputs).find((output) => output.Export?.Name === importValue)?.Value;
  }
  return undefined;
}

/** What a template value refers to: a resource's logical id and attribute (`Ref` for a Ref). */
export interface Pointer {
  readonly logicalId: string;
  readonly attribute: string;
}

/** The resource a value points to, following a cross-stack reference into `producer` (the stateful template). */
export function pointerOf(value: unknown, producer?: Template): Pointer | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.Ref === 'string') return { logicalId: value.Ref, attribute: 'Ref' };
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string') {
    return { logicalId: getAtt[0], attribute: getAtt[1] };
  }
  const produced = crossStackValue(value, producer);
  return produced === undefined ? undefined : pointerOf(produced, producer);
}

/** True when the value is a Ref (attribute 'Ref') or a Fn::GetAtt of that resource, possibly across stacks. */
export function pointsTo(value: unknown, logicalId: string, attribute: string, producer?: Template): boolean {
  const pointer = pointerOf(value, producer);
  return pointer?.logicalId === logicalId && pointer.attribute === attribute;
}

/**
 * An intrinsic value as one string: Fn::Join concatenated, `<Logical>` for a Ref, `<Logical.Attr>` for a Fn::GetAtt,
 * cross-stack references replaced by what they read from `producer`.
 */
export function flatten(value: unknown, producer?: Template): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((item) => flatten(item, producer)).join(',');
  if (!isRecord(value)) return '';
  const join = value['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return join[1].map((part) => flatten(part, producer)).join(join[0]);
  }
  if (typeof value.Ref === 'string') return `<${value.Ref}>`;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
  const produced = crossStackValue(value, producer);
  if (produced !== undefined) return flatten(produced, producer);
  return `<${JSON.stringify(value)}>`;
}

/** A value that may be one item or a list, as a list. */
export const asList = <T>(value: T | readonly T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? [...(value as readonly T[])] : [value as T];

// IAM ----------------------------------------------------------------------------------------------------------------

export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string[];
  readonly Resource: unknown[];
  readonly Principal?: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Sid?: string;
}

interface RawStatement {
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
  Sid?: string;
}

interface PolicyDocument {
  Statement: RawStatement[];
}

export function normalizeStatements(document: PolicyDocument): PolicyStatement[] {
  return document.Statement.map((statement) => ({
    ...statement,
    Action: asList(statement.Action),
    Resource: asList(statement.Resource),
  }));
}

/** The role of a Lambda function (its `Role` is a Fn::GetAtt of the role's Arn). */
export function roleOfFunction(template: Template, functionId: string): string {
  const { props } = resourceById<{ Role: unknown }>(template, functionId);
  const pointer = pointerOf(props.Role);
  if (!pointer) throw new Error(`Function ${functionId} has no role in this template`);
  return pointer.logicalId;
}

/** Every statement attached to a role: its inline policies and every AWS::IAM::Policy that names it. */
export function statementsOfRole(template: Template, roleId: string): PolicyStatement[] {
  const role = resourceById<{ Policies?: { PolicyDocument: PolicyDocument }[] }>(template, roleId);
  const inline = (role.props.Policies ?? []).flatMap((policy) => normalizeStatements(policy.PolicyDocument));
  const attached = resourcesOf<{ Roles: unknown[]; PolicyDocument: PolicyDocument }>(template, 'AWS::IAM::Policy')
    .filter((policy) => policy.props.Roles.some((role) => pointsTo(role, roleId, 'Ref')))
    .flatMap((policy) => normalizeStatements(policy.props.PolicyDocument));
  return [...inline, ...attached];
}

/** The managed policy ARNs of a role, flattened (`arn:<AWS::Partition>:iam::aws:policy/...`). */
export function managedPoliciesOfRole(template: Template, roleId: string): string[] {
  const role = resourceById<{ ManagedPolicyArns?: unknown[] }>(template, roleId);
  return (role.props.ManagedPolicyArns ?? []).map((arn) => flatten(arn));
}

// Step Functions -----------------------------------------------------------------------------------------------------

export interface AslRetrier {
  readonly ErrorEquals: string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: string;
}

export interface AslCatcher {
  readonly ErrorEquals: string[];
  readonly Next: string;
  readonly ResultPath?: string;
}

export interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Choices?: { readonly Next: string; readonly Variable?: string; readonly StringEquals?: string }[];
  readonly Retry?: AslRetrier[];
  readonly Catch?: AslCatcher[];
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Result?: unknown;
  readonly ResultPath?: string;
  readonly TimeoutSeconds?: number;
  readonly QueryLanguage?: string;
  readonly Assign?: unknown;
}

export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Record<string, AslState>;
  readonly TimeoutSeconds?: number;
  readonly QueryLanguage?: string;
}

/**
 * A state machine's definition as JSON. `DefinitionString` is a Fn::Join of JSON text and references (function
 * ARNs, the partition): the references become `<Logical.Arn>` / `<AWS::Partition>` inside the strings they sit in.
 */
export function stateMachineDefinition(template: Template, stateMachineId: string): AslDefinition {
  const { props } = resourceById<{ DefinitionString: unknown }>(template, stateMachineId);
  return JSON.parse(flatten(props.DefinitionString)) as AslDefinition;
}

// HTTP API -----------------------------------------------------------------------------------------------------------

/** The logical id of the function behind a route key (`GET /products`): route -> integration -> function Arn. */
export function functionOfRoute(template: Template, routeKey: string): string {
  const routes = resourcesOf<{ RouteKey: string; Target?: { 'Fn::Join'?: [string, unknown[]] } }>(
    template,
    'AWS::ApiGatewayV2::Route',
  ).filter((route) => route.props.RouteKey === routeKey);
  if (routes.length !== 1) throw new Error(`Expected one route ${routeKey}, found ${routes.length}`);
  const integrationId = pointerOf(routes[0]?.props.Target?.['Fn::Join']?.[1]?.[1])?.logicalId ?? '';
  const integration = resourceById<{ IntegrationUri: unknown }>(template, integrationId);
  const functionId = pointerOf(integration.props.IntegrationUri)?.logicalId;
  if (!functionId) throw new Error(`The integration of ${routeKey} does not name a function of this template`);
  return functionId;
}
