'use server';
// Budget and alert-channel changes through the API's mutations (admin scope).
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { type ApiResult, gql } from '@/lib/api';
import {
  type AlertChannelType, type BudgetMode, type BudgetPeriod, type BudgetUnit, CreateAlertChannelDocument, CreateBudgetDocument, DeleteAlertChannelDocument,
  DeleteBudgetDocument, PauseBudgetDocument, ResumeBudgetDocument, type ScopeOperator, ScopeValuesDocument, UpdateBudgetDocument,
} from '@/lib/graphql/operations';

export type FormState = { error: string | null; secret?: string };

/** The budget form: scope rows (member, operator, comma-separated values) from the model's dimensions. */
function budgetInput(form: FormData) {
  const members = form.getAll('scope_member').map(String);
  const operators = form.getAll('scope_operator').map(String);
  const values = form.getAll('scope_values').map(String);
  const scope = members.flatMap((member, i) => (member ? [{ member, operator: (operators[i] ?? 'equals') as ScopeOperator, values: (values[i] ?? '').split(',').map((v) => v.trim()).filter(Boolean) }] : []));
  const thresholds = String(form.get('thresholds') ?? '').split(',').map((v) => v.trim()).filter(Boolean).map(Number);
  const period = String(form.get('period')) as BudgetPeriod;
  return {
    name: String(form.get('name') ?? ''),
    scope,
    wholeWorkspace: form.get('wholeWorkspace') === 'on',
    period,
    ...(period === 'rolling' ? rollingWindow(form) : {}),
    timezone: String(form.get('timezone') || 'UTC'),
    unit: String(form.get('unit') || 'cost') as BudgetUnit,
    amount: String(form.get('amount') ?? ''),
    ...(thresholds.length ? { thresholds } : {}),
    forecastAlerts: form.get('forecastAlerts') === 'on',
    mode: String(form.get('mode') ?? 'soft') as BudgetMode,
    ...organizationInput(form),
  };
}

/** A rolling window in days, or in hours (a plan's usage window). */
function rollingWindow(form: FormData) {
  const length = Number(form.get('rollingLength') || 30);
  return form.get('rollingUnit') === 'hours' ? { rollingHours: length, rollingDays: null } : { rollingDays: length, rollingHours: null };
}

/** An organization budget's workspaces (the organization page's form): all, or those ticked. */
function organizationInput(form: FormData): { organization?: { workspaces?: string[] } } {
  if (form.get('return') !== ORGANIZATION_PAGE) return {};
  return { organization: form.get('org_all') === 'on' ? {} : { workspaces: form.getAll('org_workspace').map(String) } };
}

/** Where a change made from the organization page returns to (the only other page than /budgets). */
const ORGANIZATION_PAGE = '/organization';
const returnTo = (form: FormData) => (form.get('return') === ORGANIZATION_PAGE ? ORGANIZATION_PAGE : undefined);

const errorText = (errors: Array<{ message: string }>) => errors.map((e) => e.message).join('; ');

export async function saveBudget(_prev: FormState, form: FormData): Promise<FormState> {
  const id = String(form.get('id') ?? '');
  const { organization, ...fields } = budgetInput(form);
  // An organization budget's workspaces are set on creation only (BudgetPatch has none).
  const input = { ...fields, ...(organization ? { organization } : {}) };
  const res = id
    ? await gql(UpdateBudgetDocument, { id, input: fields }).then((r) => (r.ok ? { ok: true as const, data: r.data.updateBudget } : r))
    : await gql(CreateBudgetDocument, { input }).then((r) => (r.ok ? { ok: true as const, data: r.data.createBudget } : r));
  if (!res.ok) return { error: errorText(res.errors) };
  revalidatePath('/budgets');
  redirect(returnTo(form) ?? `/budgets/${res.data.id}`);
}

export async function budgetCommand(form: FormData) {
  const id = String(form.get('id'));
  const command = String(form.get('command'));
  const commands: Record<string, () => Promise<ApiResult<unknown>>> = {
    pauseBudget: () => gql(PauseBudgetDocument, { id }),
    resumeBudget: () => gql(ResumeBudgetDocument, { id }),
    deleteBudget: () => gql(DeleteBudgetDocument, { id }),
  };
  if (!Object.hasOwn(commands, command)) return;
  const res = await commands[command]!();
  if (!res.ok) throw new Error(errorText(res.errors));
  redirect(returnTo(form) ?? (command === 'deleteBudget' ? '/budgets' : `/budgets/${id}`));
}

/** Suggestions for a scope value: the dimension's values in this workspace's events, most calls first. */
export async function scopeValues(member: string): Promise<string[]> {
  if (!/^[a-z_]{1,64}$/.test(member)) return [];
  const res = await gql(ScopeValuesDocument, { by: [member] });
  return res.ok ? res.data.breakdown.children.flatMap((c) => (c.other || c.value === null ? [] : [c.value])) : [];
}

export async function createChannel(_prev: FormState, form: FormData): Promise<FormState> {
  const budgetId = String(form.get('budgetId') ?? '');
  const input = { name: String(form.get('name') ?? ''), type: String(form.get('type')) as AlertChannelType, target: String(form.get('target') ?? ''), ...(budgetId ? { budgetId } : {}) };
  const res = await gql(CreateAlertChannelDocument, { input });
  if (!res.ok) return { error: errorText(res.errors) };
  revalidatePath('/budgets');
  return { error: null, secret: res.data.createAlertChannel.secret ?? undefined };
}

export async function deleteChannel(form: FormData) {
  const res = await gql(DeleteAlertChannelDocument, { id: String(form.get('id')) });
  if (!res.ok) throw new Error(errorText(res.errors));
  revalidatePath('/budgets');
}
