/**
 * Resolves CloudFormation intrinsics in a synthesized template to the values the local runtime uses.
 *
 * Only what the runtime reads is resolved (function environments, event source mappings, rules, the state
 * machine definition, ...), so a template may contain intrinsics the runtime cannot evaluate as long as they
 * sit in properties it does not need (IAM policies, alarms). When a needed value cannot be resolved, the error
 * names the stack, the resource and the property, so the fix is obvious.
 */
import { createHash } from 'node:crypto';
import type { CfnResource, StackTemplate } from './assembly';

export interface LocalEnvironment {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly urlSuffix: string;
  /** The URL the HTTP API with this id is served at (its `ApiEndpoint` attribute). */
  apiEndpoint(apiId: string): string;
  /** The URL of the local SQS queue with this name (its `Ref` / `QueueUrl`). */
  queueUrl(queueName: string): string;
}

export interface ResourceRef {
  readonly stack: StackTemplate;
  readonly logicalId: string;
  readonly resource: CfnResource;
}

export class UnsupportedTemplateError extends Error {
  override name = 'UnsupportedTemplateError';
}

/** `{ "Ref": "AWS::NoValue" }`: the property is removed. */
const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

type Json = unknown;

interface TypeInfo {
  /** The property holding an explicit physical name. */
  readonly nameProperty?: string;
  readonly ref?: (name: string, r: ResourceRef) => string;
  readonly attributes?: Record<string, (name: string, r: ResourceRef) => Json>;
}

export function shortId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('/')).digest('hex').slice(0, 10);
}

export class TemplateResolver {
  private readonly byName = new Map<string, StackTemplate>();
  private readonly overrides = new Map<string, Json>();
  private readonly conditionCache = new Map<string, boolean>();
  private exportsCache?: Map<string, { stack: StackTemplate; value: Json; where: string }>;
  private readonly types: Record<string, TypeInfo>;

  constructor(
    readonly stacks: readonly StackTemplate[],
    readonly env: LocalEnvironment,
  ) {
    for (const stack of stacks) this.byName.set(stack.stackName, stack);
    const arn = (service: string, resource: string) =>
      `arn:${env.partition}:${service}:${env.region}:${env.account}:${resource}`;
    const self = (name: string) => name;
    this.types = {
      'AWS::DynamoDB::Table': {
        nameProperty: 'TableName',
        attributes: {
          Arn: (n) => arn('dynamodb', `table/${n}`),
          StreamArn: (_n, r) => {
            throw new UnsupportedTemplateError(
              `${this.describe(r)} has no stream (StreamSpecification is not set), so it has no StreamArn.`,
            );
          },
        },
      },
      'AWS::Lambda::Function': {
        nameProperty: 'FunctionName',
        attributes: { Arn: (n) => arn('lambda', `function:${n}`) },
      },
      'AWS::SQS::Queue': {
        nameProperty: 'QueueName',
        ref: (n) => env.queueUrl(n),
        attributes: { Arn: (n) => arn('sqs', n), QueueName: self, QueueUrl: (n) => env.queueUrl(n) },
      },
      'AWS::Events::EventBus': {
        nameProperty: 'Name',
        attributes: { Arn: (n) => arn('events', `event-bus/${n}`), Name: self },
      },
      'AWS::Events::Rule': {
        nameProperty: 'Name',
        attributes: { Arn: (n, r) => this.ruleArn(n, r) },
      },
      'AWS::Events::Archive': {
        nameProperty: 'ArchiveName',
        attributes: { Arn: (n) => arn('events', `archive/${n}`), ArchiveName: self },
      },
      'AWS::StepFunctions::StateMachine': {
        nameProperty: 'StateMachineName',
        ref: (n) => arn('states', `stateMachine:${n}`),
        attributes: { Arn: (n) => arn('states', `stateMachine:${n}`), Name: self },
      },
      'AWS::ApiGatewayV2::Api': {
        ref: (_n, r) => this.apiId(r),
        attributes: { ApiId: (_n, r) => this.apiId(r), ApiEndpoint: (_n, r) => env.apiEndpoint(this.apiId(r)) },
      },
      'AWS::ApiGatewayV2::Stage': { nameProperty: 'StageName' },
      'AWS::IAM::Role': {
        nameProperty: 'RoleName',
        attributes: {
          Arn: (n) => `arn:${env.partition}:iam::${env.account}:role/${n}`,
          RoleId: (n) => `AROA${shortId(n)}`,
        },
      },
      'AWS::IAM::Policy': { nameProperty: 'PolicyName' },
      'AWS::IAM::ManagedPolicy': {
        nameProperty: 'ManagedPolicyName',
        ref: (n) => `arn:${env.partition}:iam::${env.account}:policy/${n}`,
      },
      'AWS::Logs::LogGroup': {
        nameProperty: 'LogGroupName',
        attributes: { Arn: (n) => arn('logs', `log-group:${n}:*`) },
      },
      'AWS::SNS::Topic': {
        nameProperty: 'TopicName',
        ref: (n) => arn('sns', n),
        attributes: { TopicArn: (n) => arn('sns', n), TopicName: self },
      },
      'AWS::S3::Bucket': {
        nameProperty: 'BucketName',
        attributes: { Arn: (n) => `arn:${env.partition}:s3:::${n}`, DomainName: (n) => `${n}.s3.${env.urlSuffix}` },
      },
      'AWS::SSM::Parameter': {
        nameProperty: 'Name',
        attributes: {
          Value: (_n, r) => this.resolveProperty(r, 'Value'),
          Type: (_n, r) => this.resolveProperty(r, 'Type'),
        },
      },
      'AWS::CloudWatch::Alarm': {
        nameProperty: 'AlarmName',
        attributes: { Arn: (n) => arn('cloudwatch', `alarm:${n}`) },
      },
      'AWS::Lambda::LayerVersion': { ref: (n) => arn('lambda', `layer:${n}:1`) },
      'AWS::Lambda::Version': { ref: (_n, r) => `${this.functionArnOf(r)}:1`, attributes: { Version: () => '1' } },
      'AWS::Lambda::Alias': { nameProperty: 'Name', ref: (n, r) => `${this.functionArnOf(r)}:${n}` },
      'AWS::KMS::Key': {
        ref: (_n, r) => shortId(r.stack.stackName, r.logicalId),
        attributes: { Arn: (_n, r) => arn('kms', `key/${shortId(r.stack.stackName, r.logicalId)}`) },
      },
    };
  }

  /** Every resource of the given type whose Condition (if any) holds, in template order. */
  resources(type: string): ResourceRef[] {
    const out: ResourceRef[] = [];
    for (const stack of this.stacks) {
      for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
        if (resource.Type !== type) continue;
        if (resource.Condition && !this.condition(stack, resource.Condition)) continue;
        out.push({ stack, logicalId, resource });
      }
    }
    return out;
  }

  /** Counts of resource types the template holds (for the start-up summary). */
  typeCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const stack of this.stacks) {
      for (const resource of Object.values(stack.template.Resources ?? {})) {
        counts.set(resource.Type, (counts.get(resource.Type) ?? 0) + 1);
      }
    }
    return counts;
  }

  /** Pins an attribute to a value known only at run time (e.g. a table's StreamArn from DynamoDB Local). */
  setAttribute(r: ResourceRef, attribute: string, value: Json): void {
    this.overrides.set(`${r.stack.stackName}/${r.logicalId}/${attribute}`, value);
  }

  describe(r: ResourceRef, property?: string): string {
    return `${r.stack.stackName}/${r.logicalId} (${r.resource.Type})${property ? ` property ${property}` : ''}`;
  }

  /** The explicit name property when set, otherwise `<StackName>-<LogicalId>` (with `.fifo` for FIFO queues). */
  physicalName(r: ResourceRef): string {
    const info = this.types[r.resource.Type];
    const explicit = info?.nameProperty ? r.resource.Properties?.[info.nameProperty] : undefined;
    if (explicit !== undefined) {
      const value = this.resolve(r.stack, explicit, `${this.describe(r, info?.nameProperty)}`);
      if (typeof value === 'string' && value !== '') return value;
    }
    const generated = `${r.stack.stackName}-${r.logicalId}`;
    if (r.resource.Type === 'AWS::SQS::Queue' && r.resource.Properties?.FifoQueue === true) return `${generated}.fifo`;
    return generated;
  }

  /** Resolves `Properties[name]` of a resource; undefined when absent. */
  resolveProperty(r: ResourceRef, name: string): Json {
    const raw = r.resource.Properties?.[name];
    if (raw === undefined) return undefined;
    const value = this.resolve(r.stack, raw, this.describe(r, name));
    return value === NO_VALUE ? undefined : value;
  }

  /** Resolves every intrinsic in `value`, which belongs to `stack`; `where` names it in errors. */
  resolve(stack: StackTemplate, value: Json, where: string, depth = 0): Json {
    if (depth > 64) throw new UnsupportedTemplateError(`Intrinsics nest too deeply (a cycle?) at ${where}`);
    if (Array.isArray(value)) {
      return value.map((v) => this.resolve(stack, v, where, depth + 1)).filter((v) => v !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, Json>);
    const first = entries[0];
    if (entries.length === 1 && first && (first[0] === 'Ref' || first[0].startsWith('Fn::'))) {
      return this.intrinsic(stack, first[0], first[1], where, depth + 1);
    }
    const out: Record<string, Json> = {};
    for (const [key, v] of entries) {
      const resolved = this.resolve(stack, v, where, depth + 1);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  /** Resolves to a string or fails naming the place. */
  resolveString(stack: StackTemplate, value: Json, where: string): string {
    const resolved = this.resolve(stack, value, where);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw new UnsupportedTemplateError(`Expected a string at ${where}, got ${JSON.stringify(resolved)}`);
  }

  condition(stack: StackTemplate, name: string): boolean {
    const key = `${stack.stackName}/${name}`;
    const cached = this.conditionCache.get(key);
    if (cached !== undefined) return cached;
    const expression = stack.template.Conditions?.[name];
    if (expression === undefined) {
      throw new UnsupportedTemplateError(`Condition ${name} is not defined in stack ${stack.stackName}`);
    }
    const value = this.truthy(this.resolve(stack, expression, `${stack.stackName} condition ${name}`));
    this.conditionCache.set(key, value);
    return value;
  }

  private truthy(value: Json): boolean {
    return value === true || value === 'true';
  }

  private intrinsic(stack: StackTemplate, fn: string, arg: Json, where: string, depth: number): Json {
    const r = (v: Json) => this.resolve(stack, v, where, depth);
    switch (fn) {
      case 'Ref':
        return this.ref(stack, String(arg), where);
      case 'Fn::GetAtt': {
        const [id, ...rest] = Array.isArray(arg) ? (arg as Json[]).map((a) => r(a)) : String(arg).split('.');
        return this.getAtt(stack, String(id), rest.map(String).join('.'), where);
      }
      case 'Fn::Join': {
        const [delimiter, list] = this.args(arg, 2, fn, where);
        const items = r(list);
        if (!Array.isArray(items)) throw this.bad(fn, where, 'the second argument is not a list');
        return items.map((item) => this.scalar(item, fn, where)).join(String(delimiter));
      }
      case 'Fn::Sub':
        return this.sub(stack, arg, where, depth);
      case 'Fn::Select': {
        const [index, list] = this.args(arg, 2, fn, where);
        const items = r(list);
        const i = Number(r(index));
        if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
          throw this.bad(fn, where, `index ${String(index)} is out of range`);
        }
        return items[i];
      }
      case 'Fn::Split': {
        const [delimiter, source] = this.args(arg, 2, fn, where);
        return this.scalar(r(source), fn, where).split(String(delimiter));
      }
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = this.args(arg, 3, fn, where);
        return this.condition(stack, String(name)) ? r(whenTrue) : r(whenFalse);
      }
      case 'Fn::Equals': {
        const [a, b] = this.args(arg, 2, fn, where);
        return JSON.stringify(r(a)) === JSON.stringify(r(b));
      }
      case 'Fn::And':
        return (arg as Json[]).every((c) => this.truthy(this.conditionOperand(stack, c, where, depth)));
      case 'Fn::Or':
        return (arg as Json[]).some((c) => this.truthy(this.conditionOperand(stack, c, where, depth)));
      case 'Fn::Not': {
        const [c] = this.args(arg, 1, fn, where);
        return !this.truthy(this.conditionOperand(stack, c, where, depth));
      }
      case 'Fn::Contains': {
        const [list, v] = this.args(arg, 2, fn, where);
        const items = r(list);
        return Array.isArray(items) && items.some((x) => JSON.stringify(x) === JSON.stringify(r(v)));
      }
      case 'Fn::ImportValue':
        return this.importValue(this.scalar(r(arg), fn, where), where);
      case 'Fn::GetStackOutput': {
        const spec = r(arg) as { StackName?: string; OutputName?: string };
        return this.stackOutput(String(spec.StackName), String(spec.OutputName), where);
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = this.args(arg, 3, fn, where).map((a) => this.scalar(r(a), fn, where));
        const value = stack.template.Mappings?.[map as string]?.[top as string]?.[second as string];
        if (value === undefined) throw this.bad(fn, where, `no entry ${map}.${top}.${second}`);
        return value;
      }
      case 'Fn::Base64':
        return Buffer.from(this.scalar(r(arg), fn, where)).toString('base64');
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((z) => `${this.env.region}${z}`);
      case 'Fn::Length': {
        const items = r(arg);
        if (!Array.isArray(items)) throw this.bad(fn, where, 'the argument is not a list');
        return items.length;
      }
      case 'Fn::ToJsonString':
        return JSON.stringify(r(arg));
      default:
        throw new UnsupportedTemplateError(`${fn} is not supported by the local runtime (at ${where})`);
    }
  }

  private conditionOperand(stack: StackTemplate, c: Json, where: string, depth: number): Json {
    if (c && typeof c === 'object' && !Array.isArray(c) && 'Condition' in c) {
      return this.condition(stack, String((c as { Condition: string }).Condition));
    }
    return this.resolve(stack, c, where, depth);
  }

  private args(arg: Json, n: number, fn: string, where: string): Json[] {
    if (!Array.isArray(arg) || arg.length < n) throw this.bad(fn, where, `expected ${n} arguments`);
    return arg;
  }

  private scalar(value: Json, fn: string, where: string): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw this.bad(fn, where, `expected a string, got ${JSON.stringify(value)}`);
  }

  private bad(fn: string, where: string, why: string): UnsupportedTemplateError {
    return new UnsupportedTemplateError(`Cannot resolve ${fn} at ${where}: ${why}`);
  }

  private sub(stack: StackTemplate, arg: Json, where: string, depth: number): string {
    let template: string;
    let variables: Record<string, Json> = {};
    if (typeof arg === 'string') template = arg;
    else if (Array.isArray(arg) && typeof arg[0] === 'string') {
      template = arg[0];
      const vars = this.resolve(stack, arg[1] ?? {}, where, depth);
      variables = (vars ?? {}) as Record<string, Json>;
    } else throw this.bad('Fn::Sub', where, 'expected a string or [string, variables]');
    return template.replace(/\$\{([^}]*)\}/g, (_m, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in variables) return this.scalar(variables[name], 'Fn::Sub', where);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) {
        return this.scalar(this.getAtt(stack, name.slice(0, dot), name.slice(dot + 1), where), 'Fn::Sub', where);
      }
      return this.scalar(this.ref(stack, name, where), 'Fn::Sub', where);
    });
  }

  /** `Ref` on a pseudo parameter, a parameter or a resource. */
  ref(stack: StackTemplate, name: string, where: string): Json {
    switch (name) {
      case 'AWS::Region':
        return this.env.region;
      case 'AWS::AccountId':
        return this.env.account;
      case 'AWS::Partition':
        return this.env.partition;
      case 'AWS::URLSuffix':
        return this.env.urlSuffix;
      case 'AWS::StackName':
        return stack.stackName;
      case 'AWS::StackId':
        return `arn:${this.env.partition}:cloudformation:${this.env.region}:${this.env.account}:stack/${stack.stackName}/${shortId(stack.stackName)}`;
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return [];
    }
    const parameter = stack.template.Parameters?.[name];
    if (parameter) {
      if (parameter.Type.startsWith('AWS::SSM::Parameter::Value')) {
        throw new UnsupportedTemplateError(
          `Parameter ${name} of stack ${stack.stackName} is read from SSM at deploy time; the local runtime cannot resolve it (at ${where}).`,
        );
      }
      if (parameter.Default === undefined) {
        throw new UnsupportedTemplateError(
          `Parameter ${name} of stack ${stack.stackName} has no Default (at ${where}).`,
        );
      }
      return parameter.Default;
    }
    const r = this.resourceRef(stack, name, where);
    const override = this.overrides.get(`${stack.stackName}/${name}/Ref`);
    if (override !== undefined) return override;
    const info = this.types[r.resource.Type];
    const physical = this.physicalName(r);
    return info?.ref ? info.ref(physical, r) : physical;
  }

  getAtt(stack: StackTemplate, logicalId: string, attribute: string, where: string): Json {
    const r = this.resourceRef(stack, logicalId, where);
    const override = this.overrides.get(`${stack.stackName}/${logicalId}/${attribute}`);
    if (override !== undefined) return override;
    const fn = this.types[r.resource.Type]?.attributes?.[attribute];
    if (fn) return fn(this.physicalName(r), r);
    if (attribute === 'Arn') return this.genericArn(r);
    throw new UnsupportedTemplateError(
      `Fn::GetAtt ${logicalId}.${attribute} (${r.resource.Type}) is not supported by the local runtime (at ${where})`,
    );
  }

  private genericArn(r: ResourceRef): string {
    const [, service = 'unknown', kind = 'resource'] = r.resource.Type.split('::');
    return `arn:${this.env.partition}:${service.toLowerCase()}:${this.env.region}:${this.env.account}:${kind.toLowerCase()}/${this.physicalName(r)}`;
  }

  resourceRef(stack: StackTemplate, logicalId: string, where: string): ResourceRef {
    const resource = stack.template.Resources?.[logicalId];
    if (!resource) {
      throw new UnsupportedTemplateError(
        `${where} refers to ${logicalId}, which is not a resource of ${stack.stackName}`,
      );
    }
    if (resource.Condition && !this.condition(stack, resource.Condition)) {
      throw new UnsupportedTemplateError(
        `${where} refers to ${logicalId}, whose condition ${resource.Condition} is false`,
      );
    }
    return { stack, logicalId, resource };
  }

  private stackOutput(stackName: string, outputName: string, where: string): Json {
    const stack = this.byName.get(stackName);
    const output = stack?.template.Outputs?.[outputName];
    if (!stack || !output) {
      throw new UnsupportedTemplateError(
        `Output ${outputName} of stack ${stackName} is not in the assembly (at ${where})`,
      );
    }
    return this.resolve(stack, output.Value, `${stackName} output ${outputName}`);
  }

  private importValue(name: string, where: string): Json {
    if (!this.exportsCache) {
      this.exportsCache = new Map();
      for (const stack of this.stacks) {
        for (const [id, output] of Object.entries(stack.template.Outputs ?? {})) {
          if (output.Export === undefined) continue;
          const exportName = this.resolveString(
            stack,
            output.Export.Name,
            `${stack.stackName} output ${id} export name`,
          );
          this.exportsCache.set(exportName, { stack, value: output.Value, where: `${stack.stackName} output ${id}` });
        }
      }
    }
    const found = this.exportsCache.get(name);
    if (!found)
      throw new UnsupportedTemplateError(`Fn::ImportValue ${name}: no stack in the assembly exports it (at ${where})`);
    return this.resolve(found.stack, found.value, found.where);
  }

  private apiId(r: ResourceRef): string {
    return shortId(r.stack.stackName, r.logicalId);
  }

  private ruleArn(name: string, r: ResourceRef): string {
    const bus = r.resource.Properties?.EventBusName;
    const busName = bus === undefined ? 'default' : this.resolveString(r.stack, bus, this.describe(r, 'EventBusName'));
    const plain = busName.startsWith('arn:') ? (busName.split('/').pop() ?? busName) : busName;
    const path = plain === 'default' ? `rule/${name}` : `rule/${plain}/${name}`;
    return `arn:${this.env.partition}:events:${this.env.region}:${this.env.account}:${path}`;
  }

  private functionArnOf(r: ResourceRef): string {
    const fn = this.resolveString(r.stack, r.resource.Properties?.FunctionName, this.describe(r, 'FunctionName'));
    return fn.startsWith('arn:')
      ? fn
      : `arn:${this.env.partition}:lambda:${this.env.region}:${this.env.account}:function:${fn}`;
  }
}
