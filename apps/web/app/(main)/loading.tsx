export default function Loading() {
  return (
    <div aria-busy="true" aria-label="Loading">
      <div className="skeleton" style={{ height: 40, width: 240 }} />
      <div className="skeleton" />
      <div className="skeleton" style={{ height: 280 }} />
    </div>
  );
}
