/**
 * EventBridge event-pattern matching for the local runtime.
 *
 * Used for EventBridge rules and for Lambda event-source-mapping filter criteria
 * (`FilterCriteria.Filters[].Pattern`), which share the syntax. Semantics follow the AWS documentation
 * ("Amazon EventBridge event patterns", "Content filtering in Amazon EventBridge event patterns",
 * "Lambda event filtering") and, where the documentation is silent, the behaviour of aws/event-ruler,
 * the open-source matcher behind EventBridge:
 *
 * - A pattern is a JSON object. A field holds either a nested object (more fields) or a non-empty
 *   array of alternatives; fields are ANDed, alternatives are ORed. `$or: [ {...}, {...} ]` ORs whole
 *   sub-patterns at any level.
 * - Only leaves (strings, numbers, booleans, null) are matched. When the event holds an array, each
 *   element is tried (nested arrays are flattened); objects inside an array are matched one element at a
 *   time, so fields of one nested pattern object must all match inside the same element.
 * - A field that is missing, or that holds only objects or an empty array, has no leaf: it fails every
 *   alternative except `{"exists": false}`.
 * - Strings are compared exactly (case-sensitive). Numbers compare numerically and never match strings.
 *
 * Compile once with {@link compileEventPattern}; the result is a closure tree with no per-event parsing.
 *
 * Not modelled: AWS compares numbers by their JSON text in some places ("300" vs "3.0e2"), which a parsed
 * event no longer has; the 4096-character pattern limit; rule-complexity limits for wildcards and `$or`;
 * the operators that EventBridge Pipes does not support (all are accepted here). When an array element
 * lacks a field, `{"exists": false}` is judged per element (as event-ruler intends), although event-ruler
 * itself sometimes judges it over the whole array depending on field-name order.
 */

/** An event pattern as parsed from JSON (validated by {@link validateEventPattern}). */
export type EventPattern = Record<string, unknown>;

/** Thrown for a pattern AWS would reject; the message names the bad part (as a path) and what is allowed. */
export class InvalidEventPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventPatternError';
  }
}

/** Throws InvalidEventPatternError (with a message naming the bad part and what is allowed) for a pattern AWS would reject. */
export function validateEventPattern(pattern: unknown): asserts pattern is EventPattern {
  compileRoot(pattern);
}

/**
 * True when `event` (any JSON value, normally an object) matches `pattern`. Pure, no I/O.
 * Compiles the pattern on every call (and throws InvalidEventPatternError if it is invalid); to match many
 * events against one pattern, use {@link compileEventPattern} once instead.
 */
export function matchesEventPattern(pattern: EventPattern, event: unknown): boolean {
  return compileRoot(pattern)(event);
}

/** Parses a JSON string pattern (as found in CloudFormation `EventPattern` or a `FilterCriteria.Filters[].Pattern`), validates it, returns a compiled matcher. */
export function compileEventPattern(pattern: string | EventPattern): (event: unknown) => boolean {
  if (typeof pattern !== 'string') return compileRoot(pattern);
  let parsed: unknown;
  try {
    parsed = JSON.parse(pattern);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidEventPatternError(`Invalid event pattern: not valid JSON (${reason})`);
  }
  return compileRoot(parsed);
}

// ---------------------------------------------------------------------------------------------------------
// Types and small helpers
// ---------------------------------------------------------------------------------------------------------

/** A JSON leaf value of an event. */
type Leaf = string | number | boolean | null;
/** Tests one leaf value of the event. */
type LeafTest = (value: Leaf) => boolean;
/** Tests whatever the event holds under a field (undefined when the field is missing). */
type ValueMatcher = (value: unknown) => boolean;
/** Tests one event object (undefined stands for "no object here": every field is missing). */
type ObjectMatcher = (object: Readonly<Record<string, unknown>> | undefined) => boolean;
/** Where in the pattern we are, for error messages: field names and array indexes. */
type Path = readonly (string | number)[];

const STRING_OPERATORS = ['prefix', 'suffix', 'equals-ignore-case', 'wildcard'] as const;
const OPERATORS = ['anything-but', 'cidr', 'equals-ignore-case', 'exists', 'numeric', 'prefix', 'suffix', 'wildcard'];
const NUMERIC_OPERATORS = ['=', '<', '<=', '>', '>='];

/** Names event-ruler refuses as field names inside `$or` (operators, comparison signs, reserved words). */
const RESERVED_IN_OR = new Set([
  ...OPERATORS,
  'exactly',
  ...NUMERIC_OPERATORS,
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLeaf(value: unknown): value is Leaf {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** Own enumerable property only, so that `constructor`, `__proto__` and friends are never "present". */
function field(object: Readonly<Record<string, unknown>> | undefined, key: string): unknown {
  return object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined;
}

function formatPath(path: Path): string {
  if (path.length === 0) return '(root)';
  let text = '';
  for (const step of path) {
    if (typeof step === 'number') text += `[${step}]`;
    else if (/^[\w$@-]+$/.test(step)) text += text === '' ? step : `.${step}`;
    else text += `[${JSON.stringify(step)}]`;
  }
  return text;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function fail(path: Path, message: string): never {
  throw new InvalidEventPatternError(`Invalid event pattern at ${formatPath(path)}: ${message}`);
}

/** Calls `test` on every leaf of a (possibly nested) event array until one passes; objects are skipped. */
function someLeaf(values: readonly unknown[], test: LeafTest): boolean {
  for (const value of values) {
    if (isLeaf(value) ? test(value) : Array.isArray(value) && someLeaf(value, test)) return true;
  }
  return false;
}

/** Calls `test` on every object of a (possibly nested) event array until one passes; leaves are skipped. */
function someObject(values: readonly unknown[], test: (object: Record<string, unknown>) => boolean): boolean {
  for (const value of values) {
    if (isRecord(value) ? test(value) : Array.isArray(value) && someObject(value, test)) return true;
  }
  return false;
}

function anyOf<T>(tests: readonly ((value: T) => boolean)[]): (value: T) => boolean {
  const [only] = tests;
  if (tests.length === 1 && only) return only;
  return (value) => {
    for (const test of tests) if (test(value)) return true;
    return false;
  };
}

function allOf<T>(tests: readonly ((value: T) => boolean)[]): (value: T) => boolean {
  const [only] = tests;
  if (tests.length === 1 && only) return only;
  return (value) => {
    for (const test of tests) if (!test(value)) return false;
    return true;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Structure: objects, fields, $or
// ---------------------------------------------------------------------------------------------------------

function compileRoot(pattern: unknown): (event: unknown) => boolean {
  if (!isRecord(pattern)) fail([], `an event pattern must be a JSON object, got ${describe(pattern)}`);
  // An empty top-level pattern has no conditions and so matches every event.
  return nestedValue(compileObject(pattern, [], false, true));
}

/**
 * Applies an object pattern to whatever the event holds at that point: an object is matched directly; an
 * array is matched element by element (any element may match; with no object in it, it counts as empty);
 * anything else counts as an object with no fields (so only `exists: false` conditions can hold).
 */
function nestedValue(matcher: ObjectMatcher): ValueMatcher {
  return (value) => {
    if (isRecord(value)) return matcher(value);
    if (Array.isArray(value)) {
      let sawObject = false;
      const matched = someObject(value, (element) => {
        sawObject = true;
        return matcher(element);
      });
      return matched || (!sawObject && matcher(undefined));
    }
    return matcher(undefined);
  };
}

function compileObject(
  pattern: Record<string, unknown>,
  path: Path,
  insideOr: boolean,
  isRoot: boolean,
): ObjectMatcher {
  const keys = Object.keys(pattern);
  if (keys.length === 0 && !isRoot) fail(path, 'empty objects are not allowed; give at least one field');
  const checks: ObjectMatcher[] = [];
  for (const key of keys) {
    const value = pattern[key];
    const here = [...path, key];
    if (key === '$or') {
      checks.push(compileOr(value, here));
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      fail(here, `"${key}" is a reserved word and cannot be used as a field name inside $or`);
    }
    if (Array.isArray(value)) {
      const matchValue = compileLeafAlternatives(value, here);
      checks.push((object) => matchValue(field(object, key)));
    } else if (isRecord(value)) {
      const matchValue = nestedValue(compileObject(value, here, insideOr, false));
      checks.push((object) => matchValue(field(object, key)));
    } else {
      fail(here, `must be an array of values to match or an object of nested fields, got ${describe(value)}`);
    }
  }
  return checks.length === 0 ? () => true : allOf(checks);
}

/** `"$or": [ {...}, {...}, ... ]`: at least two non-empty objects, each a sub-pattern at this level. */
function compileOr(value: unknown, path: Path): ObjectMatcher {
  if (!Array.isArray(value)) fail(path, `$or must be an array of at least two pattern objects, got ${describe(value)}`);
  if (value.length < 2) fail(path, `$or must list at least two pattern objects, got ${value.length}`);
  const branches = value.map((branch: unknown, index): ObjectMatcher => {
    if (!isRecord(branch)) fail([...path, index], `each $or entry must be a pattern object, got ${describe(branch)}`);
    return compileObject(branch, [...path, index], true, false);
  });
  return anyOf(branches);
}

// ---------------------------------------------------------------------------------------------------------
// Leaves: the array of alternatives under a field
// ---------------------------------------------------------------------------------------------------------

function compileLeafAlternatives(alternatives: readonly unknown[], path: Path): ValueMatcher {
  if (alternatives.length === 0) fail(path, 'empty arrays are not allowed; list at least one value or operator');
  const strings = new Set<string>();
  const numbers = new Set<number>();
  const literals = new Set<boolean | null>();
  const tests: LeafTest[] = [];
  let matchesPresent = false; // {"exists": true}
  let matchesAbsent = false; // {"exists": false}

  alternatives.forEach((alternative: unknown, index) => {
    const here = [...path, index];
    if (typeof alternative === 'string') {
      // event-ruler compares a pattern string that is an IP address as an address, so that
      // "2001:db8::1" also matches "2001:0db8:0:0:0:0:0:1".
      const address = parseIp(alternative);
      if (address) tests.push((value) => typeof value === 'string' && sameAddress(address, value));
      else strings.add(alternative);
    } else if (typeof alternative === 'number') {
      numbers.add(finiteNumber(alternative, here));
    } else if (typeof alternative === 'boolean' || alternative === null) {
      literals.add(alternative);
    } else if (isRecord(alternative)) {
      const exists = existsOperand(alternative, here);
      if (exists === true) matchesPresent = true;
      else if (exists === false) matchesAbsent = true;
      else tests.push(compileOperator(alternative, here));
    } else {
      fail(
        here,
        `a value to match must be a string, number, true, false, null or an operator object such as {"prefix": "..."}, got ${describe(alternative)}`,
      );
    }
  });

  if (strings.size > 0) tests.push((value) => typeof value === 'string' && strings.has(value));
  if (numbers.size > 0) tests.push((value) => typeof value === 'number' && numbers.has(value));
  if (literals.size > 0) tests.push((value) => (value === null || typeof value === 'boolean') && literals.has(value));
  const test: LeafTest = matchesPresent ? () => true : tests.length === 0 ? () => false : anyOf(tests);

  return (value) => {
    if (isLeaf(value)) return test(value);
    if (Array.isArray(value)) {
      let sawLeaf = false;
      const matched = someLeaf(value, (leaf) => {
        sawLeaf = true;
        return test(leaf);
      });
      return matched || (!sawLeaf && matchesAbsent);
    }
    // Missing, or an object (an intermediate node, which has no value of its own).
    return matchesAbsent;
  };
}

/** For `{"exists": true|false}` returns the boolean; for any other operator object, undefined. */
function existsOperand(operator: Record<string, unknown>, path: Path): boolean | undefined {
  if (!Object.hasOwn(operator, 'exists')) return undefined;
  const keys = Object.keys(operator);
  if (keys.length !== 1) fail(path, `an operator object takes exactly one key, got ${keys.join(', ')}`);
  const operand = operator.exists;
  if (typeof operand !== 'boolean') fail([...path, 'exists'], `exists takes true or false, got ${describe(operand)}`);
  return operand;
}

function finiteNumber(value: number, path: Path): number {
  if (!Number.isFinite(value)) fail(path, `numbers must be finite, got ${value}`);
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------------------------------

function compileOperator(operator: Record<string, unknown>, path: Path): LeafTest {
  const keys = Object.keys(operator);
  const [name] = keys;
  if (name === undefined || keys.length !== 1) {
    fail(
      path,
      `an operator object takes exactly one key (one of ${OPERATORS.join(', ')}), got ${keys.length === 0 ? 'none' : keys.join(', ')}`,
    );
  }
  const operand = operator[name];
  const here = [...path, name];
  switch (name) {
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
    case 'wildcard': {
      const matches = compileStringOperator(name, operand, here);
      return (value) => typeof value === 'string' && matches(value);
    }
    case 'anything-but':
      return compileAnythingBut(operand, here);
    case 'numeric':
      return compileNumeric(operand, here);
    case 'cidr': {
      if (typeof operand !== 'string') {
        fail(here, `cidr takes a string such as "10.0.0.0/24", got ${describe(operand)}`);
      }
      const inRange = compileCidr(operand, here);
      return (value) => typeof value === 'string' && inRange(value);
    }
    default:
      return fail(path, `unknown operator "${name}"; allowed: ${OPERATORS.join(', ')}`);
  }
}

type StringOperator = (typeof STRING_OPERATORS)[number];

/**
 * `prefix` and `suffix` take a string or `{"equals-ignore-case": "..."}`; `equals-ignore-case` and
 * `wildcard` take a string. Returns a test on string values.
 */
function compileStringOperator(name: StringOperator, operand: unknown, path: Path): (value: string) => boolean {
  if ((name === 'prefix' || name === 'suffix') && isRecord(operand)) {
    const keys = Object.keys(operand);
    const inner = operand['equals-ignore-case'];
    if (keys.length !== 1 || typeof inner !== 'string') {
      fail(path, `${name} takes a string or {"equals-ignore-case": "<string>"}`);
    }
    const regex = ignoreCaseRegExp([inner], name);
    return (value) => regex.test(value);
  }
  if (typeof operand !== 'string') {
    const allowed =
      name === 'prefix' || name === 'suffix' ? 'a string or {"equals-ignore-case": "<string>"}' : 'a string';
    fail(path, `${name} takes ${allowed}, got ${describe(operand)}`);
  }
  switch (name) {
    case 'prefix':
      return (value) => value.startsWith(operand);
    case 'suffix':
      return (value) => value.endsWith(operand);
    case 'equals-ignore-case': {
      const regex = ignoreCaseRegExp([operand], 'equals');
      return (value) => regex.test(value);
    }
    case 'wildcard':
      return compileWildcard(operand, path);
  }
}

/**
 * `anything-but` matches any present leaf except the given ones: a string, a number, a list of strings
 * or of numbers, or `{"prefix"|"suffix"|"equals-ignore-case"|"wildcard": <string or list of strings>}`.
 * A value of another type (a number against string exclusions, null, a boolean) is "anything but" and
 * matches; a missing field does not.
 */
function compileAnythingBut(operand: unknown, path: Path): LeafTest {
  if (typeof operand === 'string') return (value) => value !== operand;
  if (typeof operand === 'number') {
    const excluded = finiteNumber(operand, path);
    return (value) => value !== excluded;
  }
  if (Array.isArray(operand)) {
    const allStrings = operand.every((item) => typeof item === 'string');
    const allNumbers = operand.every((item) => typeof item === 'number' && Number.isFinite(item));
    if (operand.length === 0 || !(allStrings || allNumbers)) {
      fail(path, 'anything-but takes a non-empty list of only strings or only numbers (mixed lists are not allowed)');
    }
    const excluded = new Set<unknown>(operand);
    return (value) => !excluded.has(value);
  }
  if (isRecord(operand)) {
    const keys = Object.keys(operand);
    const [name] = keys;
    const isStringOperator = (key: string | undefined): key is StringOperator =>
      (STRING_OPERATORS as readonly (string | undefined)[]).includes(key);
    if (keys.length !== 1 || !isStringOperator(name)) {
      fail(
        path,
        `anything-but takes one of {${STRING_OPERATORS.map((key) => `"${key}"`).join('|')}: ...}, got ${keys.length === 0 ? 'an empty object' : keys.join(', ')}`,
      );
    }
    const inner = operand[name];
    const here = [...path, name];
    const items = Array.isArray(inner) ? inner : [inner];
    if (items.length === 0) fail(here, `anything-but ${name} takes a string or a non-empty list of strings`);
    const strings = items.map((item: unknown, index): string => {
      if (typeof item !== 'string') {
        fail(
          Array.isArray(inner) ? [...here, index] : here,
          `anything-but ${name} takes a string or a list of strings, got ${describe(item)}`,
        );
      }
      if (item === '' && (name === 'prefix' || name === 'suffix')) fail(here, `anything-but ${name} cannot be empty`);
      return item;
    });
    let excluded: (value: string) => boolean;
    switch (name) {
      case 'prefix':
        excluded = (value) => strings.some((prefix) => value.startsWith(prefix));
        break;
      case 'suffix':
        excluded = (value) => strings.some((suffix) => value.endsWith(suffix));
        break;
      case 'equals-ignore-case': {
        const regex = ignoreCaseRegExp(strings, 'equals');
        excluded = (value) => regex.test(value);
        break;
      }
      case 'wildcard':
        excluded = anyOf(
          strings.map((item, index) => compileWildcard(item, Array.isArray(inner) ? [...here, index] : here)),
        );
        break;
    }
    return (value) => typeof value !== 'string' || !excluded(value);
  }
  return fail(
    path,
    `anything-but takes a string, a number, a list of strings or numbers, or {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": ...}, got ${describe(operand)}`,
  );
}

/**
 * `numeric`: `["=", n]`, `["<" | "<=" | ">" | ">=", n]`, or a range `[">" | ">=", low, "<" | "<=", high]`
 * with low < high (the lower bound comes first). Matches JSON numbers only, never numeric strings.
 */
function compileNumeric(operand: unknown, path: Path): LeafTest {
  if (!Array.isArray(operand) || operand.length === 0) {
    fail(path, `numeric takes a list such as [">", 0, "<=", 5], got ${describe(operand)}`);
  }
  const terms: readonly unknown[] = operand;
  /** Reads the comparison at `index` (an operator, then a number). */
  const comparisonAt = (index: number): { operator: string; bound: number; test: (value: number) => boolean } => {
    const operator = terms[index];
    const bound = terms[index + 1];
    if (typeof operator !== 'string' || !NUMERIC_OPERATORS.includes(operator)) {
      fail(
        [...path, index],
        `unknown numeric operator ${describe(operator)}; allowed: ${NUMERIC_OPERATORS.join(', ')}`,
      );
    }
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      fail([...path, index + 1], `the value after "${operator}" must be a number, got ${describe(bound)}`);
    }
    const tests: Record<string, (value: number) => boolean> = {
      '=': (value) => value === bound,
      '<': (value) => value < bound,
      '<=': (value) => value <= bound,
      '>': (value) => value > bound,
      '>=': (value) => value >= bound,
    };
    return { operator, bound, test: tests[operator] ?? (() => false) };
  };

  const lower = comparisonAt(0);
  if (terms.length === 2) return (value) => typeof value === 'number' && lower.test(value);
  if (lower.operator !== '>' && lower.operator !== '>=') {
    fail(
      path,
      `"${lower.operator}" takes exactly one number; for a range put the lower bound first, e.g. [">", 0, "<=", 5]`,
    );
  }
  if (terms.length !== 4) fail(path, 'wrong number of elements; a range is [">" or ">=", low, "<" or "<=", high]');
  const upper = comparisonAt(2);
  if (upper.operator !== '<' && upper.operator !== '<=') {
    fail([...path, 2], `the upper bound of a range takes "<" or "<=", got ${describe(upper.operator)}`);
  }
  if (!(lower.bound < upper.bound)) fail(path, 'the lower bound of a range must be less than the upper bound');
  return (value) => typeof value === 'number' && lower.test(value) && upper.test(value);
}

// ---------------------------------------------------------------------------------------------------------
// String helpers: case-insensitive comparison, wildcards
// ---------------------------------------------------------------------------------------------------------

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/**
 * A regular expression matching any of `texts` ignoring case, the way event-ruler does it: each pattern
 * character matches itself, its lower-case or its upper-case form (so "ß" also matches "SS").
 */
function ignoreCaseRegExp(texts: readonly string[], anchor: 'equals' | 'prefix' | 'suffix'): RegExp {
  const sources = texts.map((text) => {
    let source = '';
    for (const character of text) {
      const forms = [...new Set([character, character.toLowerCase(), character.toUpperCase()])];
      source += forms.length === 1 ? escapeRegExp(character) : `(?:${forms.map(escapeRegExp).join('|')})`;
    }
    return source;
  });
  const body = `(?:${sources.join('|')})`;
  return new RegExp(anchor === 'equals' ? `^${body}$` : anchor === 'prefix' ? `^${body}` : `${body}$`, 'u');
}

/**
 * `*` matches any run of characters (including none); `\*` is a literal asterisk and `\\` a literal
 * backslash. Consecutive wildcards (`**`) and any other backslash escape are rejected, as AWS does.
 * Matching is linear-time (no regular-expression backtracking).
 */
function compileWildcard(pattern: string, path: Path): (value: string) => boolean {
  const segments: string[] = [];
  let current = '';
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern.charAt(index);
    const next = pattern.charAt(index + 1);
    if (character === '*') {
      if (next === '*') fail(path, `consecutive wildcard characters (at position ${index}) are not allowed`);
      segments.push(current);
      current = '';
    } else if (character === '\\') {
      if (next !== '*' && next !== '\\') {
        fail(path, `invalid escape at position ${index}: a backslash may only escape "*" or another backslash`);
      }
      current += next;
      index++;
    } else {
      current += character;
    }
  }
  segments.push(current);

  const [first = '', ...rest] = segments;
  const last = rest.pop();
  if (last === undefined) return (value) => value === first;
  const middle = rest;
  const minimumLength = segments.reduce((sum, segment) => sum + segment.length, 0);
  return (value) => {
    if (value.length < minimumLength || !value.startsWith(first) || !value.endsWith(last)) return false;
    const end = value.length - last.length;
    let position = first.length;
    for (const segment of middle) {
      const found = value.indexOf(segment, position);
      if (found < 0 || found + segment.length > end) return false;
      position = found + segment.length;
    }
    return true;
  };
}

// ---------------------------------------------------------------------------------------------------------
// IP addresses
// ---------------------------------------------------------------------------------------------------------

interface IpAddress {
  readonly bits: 32 | 128;
  readonly value: bigint;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6_CHARACTERS = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Parses a dotted-quad IPv4 or a hexadecimal IPv6 address (with optional `::`); undefined otherwise. */
function parseIp(text: string): IpAddress | undefined {
  const v4 = IPV4.exec(text);
  if (v4) {
    let value = 0n;
    for (const part of v4.slice(1)) {
      const octet = Number(part);
      if (octet > 255) return undefined;
      value = (value << 8n) | BigInt(octet);
    }
    return { bits: 32, value };
  }
  if (!IPV6_CHARACTERS.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string | undefined): string[] | undefined => {
    if (half === undefined || half === '') return [];
    const groups = half.split(':');
    return groups.every((group) => IPV6_GROUP.test(group)) ? groups : undefined;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return undefined;
  const present = head.length + tail.length;
  if (halves.length === 2 ? present > 7 : present !== 8) return undefined;
  const groups = [...head, ...Array<string>(8 - present).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(Number.parseInt(group, 16));
  return { bits: 128, value };
}

function sameAddress(address: IpAddress, text: string): boolean {
  const other = parseIp(text);
  return other !== undefined && other.bits === address.bits && other.value === address.value;
}

/**
 * `"a.b.c.d/n"` (n from 0 to 31) or `"ipv6/n"` (n from 0 to 127); event-ruler rejects /32 and /128, which
 * are single addresses (match the address string instead). Returns a test on event strings.
 */
function compileCidr(cidr: string, path: Path): (value: string) => boolean {
  const parts = cidr.split('/');
  const [ip = '', mask = ''] = parts;
  const base = parseIp(ip);
  if (parts.length !== 2 || !base || !/^\d+$/.test(mask)) {
    fail(
      path,
      `malformed CIDR ${JSON.stringify(cidr)}; expected an IPv4 or IPv6 address, "/" and a mask length, e.g. "10.0.0.0/24"`,
    );
  }
  const maskBits = Number(mask);
  if (maskBits >= base.bits) {
    fail(path, `${base.bits === 32 ? 'IPv4' : 'IPv6'} mask length must be 0 to ${base.bits - 1}, got ${maskBits}`);
  }
  const shift = BigInt(base.bits - maskBits);
  const network = base.value >> shift;
  return (value) => {
    const address = parseIp(value);
    return address !== undefined && address.bits === base.bits && address.value >> shift === network;
  };
}
