'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { api } from '@/lib/api';

export default function DeploymentStep() {
  const router = useRouter();
  const orgCode = useSearchParams().get('org') ?? '';
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function choose(kind: 'SAAS' | 'SELF_HOSTED') {
    setBusy(true);
    try {
      await api.setupDeploymentChoice(orgCode, kind);
      router.push('/');
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <section>
      <h1>How do you want to run Portal?</h1>
      <button disabled={busy} onClick={() => choose('SAAS')}>
        Hosted by us
      </button>
      <button disabled={busy} onClick={() => choose('SELF_HOSTED')}>
        In my own cloud
      </button>
      {error && <p role="alert">{error}</p>}
    </section>
  );
}
