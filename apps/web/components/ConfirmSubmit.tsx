'use client';
// A submit button that asks first: deleting is not undone.
export function ConfirmSubmit({ label, question, ariaLabel }: { label: string; question: string; ariaLabel?: string }) {
  return <button type="submit" aria-label={ariaLabel} onClick={(e) => { if (!window.confirm(question)) e.preventDefault(); }}>{label}</button>;
}
