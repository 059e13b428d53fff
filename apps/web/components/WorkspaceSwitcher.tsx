'use client';
// Shown to people with several workspaces: choosing one switches the session to it.
import { switchWorkspace } from '@/app/(main)/workspace-actions';

export function WorkspaceSwitcher({ current, workspaces }: { current: string; workspaces: Array<{ workspaceId: string; name: string; role: string }> }) {
  return (
    <form action={switchWorkspace} className="workspace-switch">
      <label className="field">Workspace
        <select name="workspace" aria-label="Workspace" defaultValue={current} onChange={(e) => e.currentTarget.form?.requestSubmit()}>
          {workspaces.map((w) => <option key={w.workspaceId} value={w.workspaceId}>{w.name} ({w.role})</option>)}
        </select>
      </label>
      <noscript><button type="submit">Switch</button></noscript>
    </form>
  );
}
