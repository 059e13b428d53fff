export { type CompletedTask, type CostProfile, type ProfileOptions, type TaskTypeProfiles, completedTaskCosts, profileOf, taskTypeProfiles } from './profiles.ts';
export {
  type ForecastDeps, type OpenTaskGroup, type PlanBudgetForecast, type PlanForecast, type PlanForecastOptions, IN_PROGRESS_PLAN, OPEN_TASK,
  isPlanBudget, planForecasts,
} from './plans.ts';
export {
  type Backtest, type BacktestDay, type ProjectedDay, type ProjectionOptions, type ProjectionPeriod, type SpendProjection,
  BACKTEST_DAYS, HISTORY_DAYS, spendProjection,
} from './projection.ts';
export { type DailyPoint, type FitMethod, type SeasonalFit, MIN_SEASONAL_DAYS, fitDaily, predictDay } from './seasonal.ts';
export { money } from './money.ts';
export { type LogNormalFit, type RemainingDistribution, fitLogNormal, probabilityAbove, quantile, seededRandom, simulateRemaining } from './simulate.ts';
