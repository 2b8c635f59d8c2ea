'use client';

import { useRouter } from 'next/navigation';
import { FormEvent, useEffect, useState } from 'react';
import { api } from '@/lib/api';

export default function ProfileStep() {
  const router = useRouter();
  const [name, setName] = useState('');
  const [handle, setHandle] = useState('');
  const [available, setAvailable] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (handle.length < 3) {
      setAvailable(null);
      return;
    }
    const timer = setTimeout(() => {
      api
        .isUserHandleAvailable(handle)
        .then((r) => setAvailable(r.available))
        .catch(() => setAvailable(null));
    }, 300);
    return () => clearTimeout(timer);
  }, [handle]);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    try {
      await api.saveProfilePrecis(name, handle);
      router.push('/onboarding/organisation');
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <form onSubmit={onSubmit}>
      <h1>Tell us about you</h1>
      <input value={name} onChange={(e) => setName(e.target.value)} placeholder="Your name" required />
      <input value={handle} onChange={(e) => setHandle(e.target.value.toLowerCase())} placeholder="handle" required />
      {available === false && <p role="alert">That handle is taken.</p>}
      {error && <p role="alert">{error}</p>}
      <button type="submit" disabled={available === false}>
        Continue
      </button>
    </form>
  );
}
