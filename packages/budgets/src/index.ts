export * from './schema.ts';
export { budgetWindow, trendLookback, type BudgetWindow } from './period.ts';
export { appliesTo, scopeFilters } from './scope.ts';
export { readSpend, type SpendRequest } from './spend.ts';
export { project, type Projection } from './projection.ts';
export { evaluateBudgets, type EvaluateOptions, type EvaluationResult } from './evaluate.ts';
export { standing, type BudgetOutlook, type BudgetStanding, type BudgetState } from './state.ts';
export { buildGuardIndex, decide, type GuardBudget, type GuardBudgetAnswer, type GuardDecision, type GuardIndex } from './guard.ts';
export { announce } from './announce.ts';
