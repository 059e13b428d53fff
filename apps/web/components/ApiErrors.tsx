import type { ApiError } from '@/lib/api';

/** The API's errors as it states them: message, code and the argument at fault. */
export function ApiErrors({ errors }: { errors: ApiError[] }) {
  return (
    <div className="error" role="alert">
      <strong>The API refused this request</strong>
      <ul>{errors.map((e, i) => <li key={i}>{e.message}{e.code ? ` (${e.code}${e.field ? `, ${e.field}` : ''})` : ''}</li>)}</ul>
    </div>
  );
}
