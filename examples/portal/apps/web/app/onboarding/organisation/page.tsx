'use client';

import { useRouter } from 'next/navigation';
import { FormEvent, useState } from 'react';
import { api } from '@/lib/api';

export default function OrganisationStep() {
  const router = useRouter();
  const [mode, setMode] = useState<'solo' | 'team'>('solo');
  const [handle, setHandle] = useState('');
  const [organisationName, setOrganisationName] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    try {
      const { organisation } =
        mode === 'solo'
          ? await api.setupSoloHandle(handle)
          : await api.setupOrganisationHandle(handle, organisationName);
      router.push(`/onboarding/qualification?org=${organisation.orgCode}`);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <form onSubmit={onSubmit}>
      <h1>Where will you work?</h1>
      <label>
        <input type="radio" checked={mode === 'solo'} onChange={() => setMode('solo')} /> Just me
      </label>
      <label>
        <input type="radio" checked={mode === 'team'} onChange={() => setMode('team')} /> With my team
      </label>
      {mode === 'team' && (
        <input value={organisationName} onChange={(e) => setOrganisationName(e.target.value)} placeholder="Organisation name" />
      )}
      <input value={handle} onChange={(e) => setHandle(e.target.value.toLowerCase())} placeholder="workspace handle" />
      {error && <p role="alert">{error}</p>}
      <button type="submit">Continue</button>
    </form>
  );
}
