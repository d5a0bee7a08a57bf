/**
 * `ScheduleExpression` of a rule: `rate(value unit)` and the six-field `cron(min hour dom month dow year)`
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html), in UTC.
 */

export interface Schedule {
  /** The first fire time strictly after `after`. */
  next(after: Date): Date | undefined;
}

export class InvalidScheduleError extends Error {
  override name = 'InvalidScheduleError';
}

const UNIT_MS: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/.exec(expression.trim());
  if (rate) {
    const value = Number(rate[1]);
    const unit = (rate[2] ?? '').replace(/s$/, '');
    if (value <= 0) throw new InvalidScheduleError(`${expression}: the rate must be positive`);
    if ((value === 1) !== !(rate[2] ?? '').endsWith('s')) {
      throw new InvalidScheduleError(`${expression}: use the singular unit for 1 and the plural otherwise`);
    }
    const period = value * (UNIT_MS[unit] ?? 0);
    // A rate schedule starts when the rule is created: the first event fires one period later.
    return { next: (after) => new Date(after.getTime() + period) };
  }
  const cron = /^cron\((.*)\)$/.exec(expression.trim());
  if (cron) return parseCron(cron[1] ?? '');
  throw new InvalidScheduleError(`${expression} is neither rate(...) nor cron(...)`);
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** A set of allowed values for one field (undefined = any). */
type FieldSet = Set<number> | undefined;

function parseField(text: string, min: number, max: number, names: string[] = [], nameBase = 1): FieldSet {
  if (text === '*' || text === '?') return undefined;
  const value = (token: string) => {
    const index = names.indexOf(token.toUpperCase());
    const n = index >= 0 ? index + nameBase : Number(token);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidScheduleError(`${token} is outside ${min}-${max}`);
    return n;
  };
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0) throw new InvalidScheduleError(`bad step in ${part}`);
    let from: number;
    let to: number;
    if (range === '*') {
      from = min;
      to = max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      from = value(a);
      to = value(b);
    } else {
      from = value(range);
      to = stepText === undefined ? from : max;
    }
    for (let n = from; n <= to; n += step) out.add(n);
  }
  return out;
}

function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

function parseCron(body: string): Schedule {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6)
    throw new InvalidScheduleError(`cron(${body}) needs six fields: min hour dom month dow year`);
  const [minText = '', hourText = '', domText = '', monthText = '', dowText = '', yearText = ''] = fields;
  if ((domText === '?') === (dowText === '?')) {
    throw new InvalidScheduleError(`cron(${body}): exactly one of day-of-month and day-of-week must be '?'`);
  }
  const minutes = parseField(minText, 0, 59);
  const hours = parseField(hourText, 0, 23);
  const months = parseField(monthText, 1, 12, MONTHS);
  const years = parseField(yearText, 1970, 2199);
  const dayMatches = dayMatcher(domText, dowText);
  return {
    next(after) {
      const start = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
      let day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
      for (let i = 0; i < 366 * 6; i++, day = new Date(day.getTime() + 86_400_000)) {
        const y = day.getUTCFullYear();
        const m = day.getUTCMonth();
        if (years && !years.has(y)) continue;
        if (months && !months.has(m + 1)) continue;
        if (!dayMatches(y, m, day.getUTCDate(), day.getUTCDay())) continue;
        for (let h = 0; h < 24; h++) {
          if (hours && !hours.has(h)) continue;
          for (let min = 0; min < 60; min++) {
            if (minutes && !minutes.has(min)) continue;
            const at = new Date(Date.UTC(y, m, day.getUTCDate(), h, min));
            if (at >= start) return at;
          }
        }
      }
      return undefined;
    },
  };
}

function dayMatcher(domText: string, dowText: string): (y: number, m0: number, d: number, dow0: number) => boolean {
  if (dowText === '?') {
    if (domText === 'L') return (y, m0, d) => d === daysInMonth(y, m0);
    if (domText === 'LW') {
      return (y, m0, d, dow0) => {
        const last = daysInMonth(y, m0);
        const lastDow = new Date(Date.UTC(y, m0, last)).getUTCDay();
        const target = lastDow === 6 ? last - 1 : lastDow === 0 ? last - 2 : last;
        return d === target && dow0 >= 1 && dow0 <= 5;
      };
    }
    const w = /^(\d+)W$/.exec(domText);
    if (w) {
      const wanted = Number(w[1]);
      return (y, m0, d) => {
        const last = daysInMonth(y, m0);
        const base = Math.min(wanted, last);
        const dow = new Date(Date.UTC(y, m0, base)).getUTCDay();
        let target = base;
        if (dow === 6) target = base === 1 ? 3 : base - 1;
        else if (dow === 0) target = base === last ? base - 2 : base + 1;
        return d === target;
      };
    }
    const days = parseField(domText, 1, 31);
    return (_y, _m0, d) => !days || days.has(d);
  }
  const nth = /^([1-7A-Za-z]{1,3})#([1-5])$/.exec(dowText);
  if (nth) {
    const dow = dowIndex(nth[1] ?? '');
    const n = Number(nth[2]);
    return (_y, _m0, d, dow0) => dow0 === dow && Math.ceil(d / 7) === n;
  }
  const last = /^([1-7A-Za-z]{0,3})L$/.exec(dowText);
  if (last) {
    const dow = last[1] ? dowIndex(last[1]) : 6;
    return (y, m0, d, dow0) => dow0 === dow && d + 7 > daysInMonth(y, m0);
  }
  const days = parseField(dowText, 1, 7, DAYS);
  return (_y, _m0, _d, dow0) => !days || days.has(dow0 + 1);
}

function dowIndex(token: string): number {
  const named = DAYS.indexOf(token.toUpperCase());
  if (named >= 0) return named;
  const n = Number(token);
  if (!Number.isInteger(n) || n < 1 || n > 7) throw new InvalidScheduleError(`${token} is not a day of the week`);
  return n - 1;
}
