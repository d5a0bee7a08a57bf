/**
 * What a rule target receives: the whole event, a constant `Input`, the part selected by `InputPath`, or
 * the text an `InputTransformer` builds (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html).
 */
import type { TargetDef } from '../template/model';

/** Evaluates the JSONPath subset EventBridge accepts: `$`, `$.a.b`, `$.a[0]`, `$['a-b']`. */
export function selectPath(value: unknown, path: string): unknown {
  if (!path.startsWith('$')) return undefined;
  const tokens: string[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g;
  const rest = path.slice(1);
  let consumed = 0;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    if (m.index !== consumed) return undefined;
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
    consumed = m.index + m[0].length;
  }
  if (consumed !== rest.length) return undefined;
  let current: unknown = value;
  for (const token of tokens) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[token];
  }
  return current;
}

export interface RuleIdentity {
  readonly name: string;
  readonly arn: string;
}

/**
 * The target payload as text: JSON for the whole event, `Input` and `InputPath`; for an InputTransformer,
 * whatever the template produces (JSON or plain text).
 */
export function targetPayload(event: Record<string, unknown>, target: TargetDef, rule: RuleIdentity): string {
  if (target.input !== undefined) return target.input;
  if (target.inputPath !== undefined) return JSON.stringify(selectPath(event, target.inputPath) ?? null);
  if (target.inputTransformer) return transform(event, target.inputTransformer, rule);
  return JSON.stringify(event);
}

function transform(
  event: Record<string, unknown>,
  transformer: NonNullable<TargetDef['inputTransformer']>,
  rule: RuleIdentity,
): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.inputPathsMap)) values.set(name, selectPath(event, path));
  values.set('aws.events.rule-arn', rule.arn);
  values.set('aws.events.rule-name', rule.name);
  values.set('aws.events.event.ingestion-time', event.time);
  values.set('aws.events.event', event);
  values.set('aws.events.event.json', event);
  const template = transformer.inputTemplate;
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    if (c === '\\' && inString) {
      out += c + (template[i + 1] ?? '');
      i += 1;
      continue;
    }
    if (c === '"') inString = !inString;
    if (c === '<') {
      const end = template.indexOf('>', i);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (values.has(name)) {
        const value = values.get(name);
        if (inString) {
          // Inside quotes the value is inserted as text (escaped for the surrounding JSON string).
          const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
          out += JSON.stringify(text).slice(1, -1);
        } else {
          out += value === undefined ? 'null' : JSON.stringify(value);
        }
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}
