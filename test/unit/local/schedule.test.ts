import { InvalidScheduleError, parseSchedule } from '../../../local/eventbridge/schedule';

const at = (iso: string) => new Date(iso);
const next = (expression: string, after: string) => parseSchedule(expression).next(at(after))?.toISOString();

describe('schedule expressions', () => {
  it('rate(): one period after the reference time', () => {
    expect(next('rate(5 minutes)', '2024-01-01T00:00:00Z')).toBe('2024-01-01T00:05:00.000Z');
    expect(next('rate(1 hour)', '2024-01-01T00:00:00Z')).toBe('2024-01-01T01:00:00.000Z');
    expect(next('rate(2 days)', '2024-01-01T00:00:00Z')).toBe('2024-01-03T00:00:00.000Z');
    expect(() => parseSchedule('rate(1 minutes)')).toThrow(InvalidScheduleError);
    expect(() => parseSchedule('rate(5 minute)')).toThrow(InvalidScheduleError);
  });

  // The examples of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
  it('cron(): the examples of the AWS documentation', () => {
    // 10:15 AM UTC every day
    expect(next('cron(15 10 * * ? *)', '2024-03-01T11:00:00Z')).toBe('2024-03-02T10:15:00.000Z');
    // 6:00 PM Monday through Friday
    expect(next('cron(0 18 ? * MON-FRI *)', '2024-03-01T19:00:00Z')).toBe('2024-03-04T18:00:00.000Z');
    // 8:00 AM on the first day of the month
    expect(next('cron(0 8 1 * ? *)', '2024-03-01T09:00:00Z')).toBe('2024-04-01T08:00:00.000Z');
    // every 10 minutes on weekdays
    expect(next('cron(0/10 * ? * MON-FRI *)', '2024-03-01T10:03:00Z')).toBe('2024-03-01T10:10:00.000Z');
    // every 5 minutes between 8:00 AM and 5:55 PM weekdays
    expect(next('cron(0/5 8-17 ? * MON-FRI *)', '2024-03-01T17:56:00Z')).toBe('2024-03-04T08:00:00.000Z');
    // 9:00 AM on the first Monday of each month
    expect(next('cron(0 9 ? * 2#1 *)', '2024-03-05T00:00:00Z')).toBe('2024-04-01T09:00:00.000Z');
  });

  it('cron(): last day, last weekday, years', () => {
    expect(next('cron(0 0 L * ? *)', '2024-02-01T00:00:00Z')).toBe('2024-02-29T00:00:00.000Z');
    expect(next('cron(0 0 ? * 6L *)', '2024-03-01T00:00:00Z')).toBe('2024-03-29T00:00:00.000Z');
    expect(next('cron(0 12 * * ? 2030)', '2024-01-01T00:00:00Z')).toBe('2030-01-01T12:00:00.000Z');
    expect(next('cron(0 12 * * ? 2020)', '2024-01-01T00:00:00Z')).toBeUndefined();
  });

  it('rejects malformed expressions', () => {
    expect(() => parseSchedule('cron(0 12 * * *)')).toThrow(/six fields/);
    expect(() => parseSchedule('cron(0 12 * * * *)')).toThrow(/exactly one of day-of-month and day-of-week/);
    expect(() => parseSchedule('cron(61 12 * * ? *)')).toThrow(/outside 0-59/);
    expect(() => parseSchedule('every day')).toThrow(InvalidScheduleError);
  });
});
