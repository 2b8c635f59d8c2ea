import { QualificationTier } from '@prisma/client';

export interface QualificationAnswers {
  role: string;
  teamSize: string;
  systemTypes: string[];
  challenges: string[];
  tooling: string[];
}

export interface QualificationScore {
  score: number;
  tier: QualificationTier;
}

const ROLE_POINTS: Record<string, number> = {
  architect: 3,
  cto: 3,
  'engineering-manager': 2,
  founder: 2,
  engineer: 1,
};

const QUALIFYING_SYSTEM_TYPES = new Set(['microservices', 'event-driven', 'multi-region', 'data-platform', 'legacy-monolith']);
const QUALIFYING_CHALLENGES = new Set(['onboarding', 'incident-response', 'architecture-drift', 'compliance']);
const TOOLING_SIGNALS = new Set(['backstage', 'structurizr', 'c4', 'ilograph', 'lucidchart']);

const TEAM_SIZE_POINTS: Record<string, number> = {
  '11-50': 1,
  '51-200': 2,
  '200+': 2,
};

export const HIGH_TIER_THRESHOLD = 11;
export const MEDIUM_TIER_THRESHOLD = 7;

/**
 * Scores onboarding answers to prioritise follow-up. Deterministic and side-effect free.
 */
export function computeQualificationScore(answers: QualificationAnswers): QualificationScore {
  let score = ROLE_POINTS[answers.role] ?? 0;

  for (const type of answers.systemTypes) {
    if (QUALIFYING_SYSTEM_TYPES.has(type)) score += 2;
  }

  score += TEAM_SIZE_POINTS[answers.teamSize] ?? 0;

  if (answers.challenges.some((c) => QUALIFYING_CHALLENGES.has(c))) {
    score += 2;
  }

  if (answers.tooling.some((t) => TOOLING_SIGNALS.has(t.toLowerCase()))) {
    score += 1;
  }

  const tier =
    score >= HIGH_TIER_THRESHOLD
      ? QualificationTier.HIGH
      : score >= MEDIUM_TIER_THRESHOLD
        ? QualificationTier.MEDIUM
        : QualificationTier.LOW;

  return { score, tier };
}

/** Human-readable summary of the answers, shown on the organisation page. */
export function summariseQualification(answers: QualificationAnswers): string {
  const systems = answers.systemTypes.length ? answers.systemTypes.join(', ') : 'unspecified systems';
  const challenges = answers.challenges.length ? answers.challenges.join(', ') : 'no specific challenges';
  return `Team of ${answers.teamSize} (${answers.role}) working on ${systems}; focus: ${challenges}.`;
}
