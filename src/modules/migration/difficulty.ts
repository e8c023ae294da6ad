/**
 * Migration difficulty (0–100, higher is harder) and the suggested strategy, from a system's
 * attributes. The formula is documented in README.md ("Migration tracking"); keep the two in step.
 *
 *   special devices            +25 if any
 *   classified                 +20
 *   graded protection level    +8 per level above 1 (level 4: +24)
 *   architecture               B/S +0, C/S +10, other +15
 *   data volume                <100 GB +0, <1 TB +5, <10 TB +10, more +15
 *   availability need          standard +0, high +8, critical (24×7) +15
 *   critical system            +10
 *   databases                  +2 each, at most +6
 *   middleware                 +1 each, at most +4
 *   users                      more than 10,000: +5
 * capped at 100.
 */
export const ARCHITECTURES = ['B/S', 'C/S', 'other'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];
export const AVAILABILITY_NEEDS = ['standard', 'high', 'critical'] as const;
export type AvailabilityNeed = (typeof AVAILABILITY_NEEDS)[number];
export const CLASSIFICATIONS = ['classified', 'non-classified'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];
export const STRATEGIES = ['rehost', 'relocate-device', 'hosting', 'exempt-classified', 'retire'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface DifficultyInput {
  classification: Classification;
  protectionLevel: number;
  architecture: Architecture;
  databases: string[];
  middleware: string[];
  specialDevices: string[];
  dataVolumeGb: number;
  userCount: number;
  availability: AvailabilityNeed;
  critical: boolean;
}

const ARCHITECTURE_POINTS: Record<Architecture, number> = { 'B/S': 0, 'C/S': 10, other: 15 };
const AVAILABILITY_POINTS: Record<AvailabilityNeed, number> = { standard: 0, high: 8, critical: 15 };

/** At or above this score a system with special devices moves whole into the cloud data centre (hosting). */
export const HOSTING_THRESHOLD = 70;

export function difficultyScore(s: DifficultyInput): number {
  const volume = s.dataVolumeGb < 100 ? 0 : s.dataVolumeGb < 1000 ? 5 : s.dataVolumeGb < 10000 ? 10 : 15;
  const score =
    (s.specialDevices.length > 0 ? 25 : 0) +
    (s.classification === 'classified' ? 20 : 0) +
    8 * (Math.min(Math.max(s.protectionLevel, 1), 4) - 1) +
    ARCHITECTURE_POINTS[s.architecture] +
    volume +
    AVAILABILITY_POINTS[s.availability] +
    (s.critical ? 10 : 0) +
    Math.min(2 * s.databases.length, 6) +
    Math.min(s.middleware.length, 4) +
    (s.userCount > 10000 ? 5 : 0);
  return Math.min(score, 100);
}

/**
 * Classified systems go to the internal network; a system nobody uses is retired; special devices
 * are relocated, or the whole system hosted when it is hard or not a B/S application; the rest is rehosted.
 */
export function suggestedStrategy(s: DifficultyInput, score = difficultyScore(s)): Strategy {
  if (s.classification === 'classified') return 'exempt-classified';
  if (s.userCount === 0) return 'retire';
  if (s.specialDevices.length > 0)
    return score >= HOSTING_THRESHOLD || s.architecture === 'other' ? 'hosting' : 'relocate-device';
  return 'rehost';
}
