export { FIXED_NOW_ENV, now, setNow } from './clock.ts';
export {
  type CalendarUnit, type Period, PERIOD_EXAMPLES, PeriodError, type Unit, absolutePeriod, bucketPartial, isIsoTime, checkPeriod, cubeDateRange, cubeTime,
  periodJson, previousPeriod, resolvePeriod,
} from './periods.ts';
