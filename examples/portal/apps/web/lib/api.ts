const TOKEN_KEY = 'portal.accessToken';

export function getAccessToken(): string | null {
  if (typeof window === 'undefined') return null;
  return window.sessionStorage.getItem(TOKEN_KEY);
}

export function setAccessToken(token: string): void {
  window.sessionStorage.setItem(TOKEN_KEY, token);
}

export class ApiError extends Error {
  constructor(
    public readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function apiRequest<T>(path: string, init: RequestInit = {}): Promise<T> {
  const token = getAccessToken();
  const response = await fetch(`${process.env.NEXT_PUBLIC_API_URL}${path}`, {
    ...init,
    headers: {
      'Content-Type': 'application/json',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...init.headers,
    },
  });

  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new ApiError(response.status, body.message ?? response.statusText);
  }
  return response.json() as Promise<T>;
}

const post = <T>(path: string, body: unknown) => apiRequest<T>(path, { method: 'POST', body: JSON.stringify(body) });

export interface Me {
  id: string;
  email: string;
  name: string | null;
  userHandle: string | null;
  organisationIds: string[];
}

export interface Organisation {
  id: string;
  orgCode: string;
  handle: string;
  name: string;
}

export interface QuestionHit {
  id: string;
  title: string;
  excerpt: string;
}

export const api = {
  me: () => apiRequest<Me>('/api/auth/me'),

  isUserHandleAvailable: (handle: string) =>
    apiRequest<{ handle: string; available: boolean }>(
      `/api/user/isUserHandleAvailable?handle=${encodeURIComponent(handle)}`,
    ),
  saveProfilePrecis: (name: string, userHandle: string) =>
    post('/api/user/save-profile-precis', { name, userHandle }),
  setupSoloHandle: (handle: string) =>
    post<{ organisation: Organisation }>('/api/user/setup-solo-handle', { handle }),
  setupOrganisationHandle: (handle: string, organisationName: string) =>
    post<{ organisation: Organisation }>('/api/user/setup-organisation-handle', { handle, organisationName }),
  saveQualification: (orgCode: string, answers: Record<string, unknown>) =>
    post<{ score: number; tier: string }>('/api/user/save-qualification', { orgCode, answers }),
  setupDeploymentChoice: (orgCode: string, deploymentKind: 'SAAS' | 'SELF_HOSTED') =>
    post('/api/user/setup-deployment-choice', { orgCode, deploymentKind }),

  subscription: () => apiRequest<{ plan: string; status: string } | null>('/api/billing/subscription'),
  checkout: (orgCode: string) => post<{ url: string }>('/api/billing/checkout-session', { orgCode }),

  searchQuestions: (q: string) => apiRequest<QuestionHit[]>(`/api/search?q=${encodeURIComponent(q)}`),
  suggest: (draft: string, tagIds: string[]) =>
    post<{ suggestion: string; degraded: boolean }>('/api/curation/suggest', { draft, tagIds }),
};
