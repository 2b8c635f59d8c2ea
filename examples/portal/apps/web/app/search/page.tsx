'use client';

import { FormEvent, useState } from 'react';
import { api, QuestionHit } from '@/lib/api';

export default function SearchPage() {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<QuestionHit[]>([]);
  const [loading, setLoading] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setLoading(true);
    try {
      setHits(await api.searchQuestions(q));
    } finally {
      setLoading(false);
    }
  }

  return (
    <section>
      <form onSubmit={onSubmit}>
        <input value={q} onChange={(e) => setQ(e.target.value)} placeholder="Search questions" />
        <button type="submit" disabled={loading}>
          Search
        </button>
      </form>
      <ul>
        {hits.map((hit) => (
          <li key={hit.id}>
            <strong>{hit.title}</strong>
            <p>{hit.excerpt}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
