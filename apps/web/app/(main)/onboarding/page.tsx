// Getting data in: an ingest key made on request and, with it filled in, every capture path
// (curl, SDK, OTLP, the proxy, spendgraph collect); green once the first event is stored.
import { ApiErrors } from '@/components/ApiErrors';
import { Onboarding } from '@/components/Onboarding';
import { gql } from '@/lib/api';
import { OnboardingWorkspaceDocument } from '@/lib/graphql/operations';
import { PUBLIC_API_URL } from '@/lib/config';
import { allows, getMe } from '@/lib/me';

export default async function OnboardingPage() {
  const [res, me] = await Promise.all([gql(OnboardingWorkspaceDocument), getMe()]);
  if (!res.ok) return <><h2>Send data</h2><ApiErrors errors={res.errors} /></>;
  return (
    <>
      <h2>Send data to {res.data.workspace.name}</h2>
      <Onboarding apiUrl={PUBLIC_API_URL} canMakeKeys={allows(me, 'keys:manage')} received={res.data.workspace.hasEvents} />
    </>
  );
}
