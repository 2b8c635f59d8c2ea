'use client';

import Link from 'next/link';
import { useEffect, useState } from 'react';
import { api, Me } from '@/lib/api';

export default function HomePage() {
  const [me, setMe] = useState<Me | null>(null);
  const [plan, setPlan] = useState<string | null>(null);

  useEffect(() => {
    api.me().then(setMe).catch(() => setMe(null));
    api
      .subscription()
      .then((s) => setPlan(s ? `${s.plan} (${s.status})` : null))
      .catch(() => setPlan(null));
  }, []);

  if (!me) {
    return <p>Loading…</p>;
  }

  return (
    <section>
      <h1>Welcome{me.name ? `, ${me.name}` : ''}</h1>
      {plan ? <p>Plan: {plan}</p> : <Link href="/onboarding/profile">Finish onboarding</Link>}
      <p>
        <Link href="/search">Search questions</Link>
      </p>
    </section>
  );
}
