'use client';

import { useRouter, useSearchParams } from 'next/navigation';
import { FormEvent, useState } from 'react';
import { api } from '@/lib/api';

const SYSTEM_TYPES = ['microservices', 'event-driven', 'multi-region', 'data-platform', 'legacy-monolith'];

export default function QualificationStep() {
  const router = useRouter();
  const orgCode = useSearchParams().get('org') ?? '';
  const [role, setRole] = useState('engineer');
  const [teamSize, setTeamSize] = useState('2-10');
  const [systemTypes, setSystemTypes] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);

  const toggle = (type: string) =>
    setSystemTypes((current) => (current.includes(type) ? current.filter((t) => t !== type) : [...current, type]));

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    try {
      await api.saveQualification(orgCode, { role, teamSize, systemTypes, challenges: [], tooling: [] });
      router.push(`/onboarding/deployment?org=${orgCode}`);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <form onSubmit={onSubmit}>
      <h1>A few questions</h1>
      <select value={role} onChange={(e) => setRole(e.target.value)}>
        <option value="founder">Founder</option>
        <option value="cto">CTO</option>
        <option value="architect">Architect</option>
        <option value="engineering-manager">Engineering manager</option>
        <option value="engineer">Engineer</option>
      </select>
      <select value={teamSize} onChange={(e) => setTeamSize(e.target.value)}>
        {['1', '2-10', '11-50', '51-200', '200+'].map((s) => (
          <option key={s}>{s}</option>
        ))}
      </select>
      {SYSTEM_TYPES.map((type) => (
        <label key={type}>
          <input type="checkbox" checked={systemTypes.includes(type)} onChange={() => toggle(type)} /> {type}
        </label>
      ))}
      {error && <p role="alert">{error}</p>}
      <button type="submit">Continue</button>
    </form>
  );
}
