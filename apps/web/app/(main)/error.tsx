'use client';
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="error" role="alert">
      <p>This page failed to load{error.digest ? ` (reference ${error.digest}; see the web server's log)` : `: ${error.message}`}.</p>
      <button onClick={reset}>Try again</button>
    </div>
  );
}
