// The demo's plans, tasks and work items, synced as a planner would: through
// PUT /v1/plans|tasks|work-items. The events created them (status 'open');
// this names them and closes the work done: every plan but the two newest is
// done, and the newest two are half way through their tasks.
import { type Pool, listPlans, listTasks, listWorkItems } from '@spendgraph/db';

const THEMES = ['Search ranking', 'Billing export', 'Onboarding flow', 'Audit log', 'SSO', 'Usage alerts', 'Mobile sync'];
const REPOSITORIES = ['acme/web', 'acme/api', 'acme/mobile'];

async function put(apiUrl: string, key: string, path: string, body: object) {
  const res = await fetch(`${apiUrl}/v1/${path}`, {
    method: 'PUT', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`PUT /v1/${path} answered ${res.status}: ${await res.text()}`);
}

export async function syncDemoWork(pool: Pool, workspaceId: string, apiUrl: string, key: string): Promise<void> {
  const plans = (await listPlans(pool, workspaceId)).sort((a, b) => a.id.localeCompare(b.id));
  const inProgress = new Set(plans.slice(-2).map((p) => p.id));
  for (const [i, plan] of plans.entries()) {
    const theme = THEMES[i % THEMES.length]!;
    await put(apiUrl, key, `plans/${encodeURIComponent(plan.id)}`, {
      name: `${theme} (${plan.id})`, owner: ['ana', 'ben', 'chen'][i % 3], source_document: `docs/plans/${plan.id}.md`,
      status: inProgress.has(plan.id) ? 'in_progress' : 'done',
    });
  }
  for (const task of await listTasks(pool, workspaceId)) {
    const taskNo = Number(task.id.split('task-')[1] ?? 0);
    const done = !inProgress.has(task.planId ?? '') || taskNo <= 6;
    await put(apiUrl, key, `tasks/${encodeURIComponent(task.id)}`, { status: done ? 'done' : 'open', estimate: (taskNo % 5) + 1 });
  }
  for (const item of await listWorkItems(pool, workspaceId)) {
    const n = Number(item.id.replace(/\D/g, ''));
    await put(apiUrl, key, `work-items/${encodeURIComponent(item.id)}`, { title: `Work item ${item.id}`, repository: REPOSITORIES[n % REPOSITORIES.length] });
  }
}
