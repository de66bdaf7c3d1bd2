// `security/bot-detector`: User-Agent allow list, deny list, then patterns (unanchored, any match
// = bot), with an optional LRU of decisions. Order and 403 as KrakenD CE (§7). Deviation: an
// invalid pattern stops startup (KrakenD logs it and runs without the detector: fail-open).
// Patterns are compiled once, here. Note: JavaScript regular expressions backtrack (Go's RE2 does
// not); only the operator writes them, but avoid nested quantifiers on client-controlled input.
import { LRUCache } from 'lru-cache';
import type { Rejection, Stage } from '../../types.js';
import { refusal } from '../../types.js';

const BOT: Rejection = refusal('bot.denied', 'security/bot-detector', 'User-Agent matched a bot rule');

interface BotDetectorConfig {
  allow?: string[];
  deny?: string[];
  patterns?: string[];
  cache_size?: number;
  empty_user_agent_is_bot?: boolean;
}

/** Go's (?i) prefix (the common RE2 inline flag) becomes the `i` flag; other syntax must be JS-compatible. */
function compilePattern(p: string, i: number): RegExp {
  const insensitive = p.startsWith('(?i)');
  try {
    return new RegExp(insensitive ? p.slice(4) : p, insensitive ? 'i' : '');
  } catch (err) {
    throw new Error(`patterns/${i}: invalid regular expression: ${(err as Error).message}`);
  }
}

/** The runtime of `security/bot-detector` (schema.ts loads it on first use). */
export function build(c: BotDetectorConfig): Stage | null {
  const allow = new Set(c.allow ?? []);
  const deny = new Set(c.deny ?? []);
  const patterns = (c.patterns ?? []).map(compilePattern);
  const emptyIsBot = c.empty_user_agent_is_bot === true;
  if (allow.size === 0 && deny.size === 0 && patterns.length === 0 && !emptyIsBot) return null;

  const decide = (ua: string): boolean => {
    if (allow.has(ua)) return false;
    if (deny.has(ua)) return true;
    for (const re of patterns) if (re.test(ua)) return true;
    return false;
  };
  const size = c.cache_size ?? 0;
  const cache = size > 0 ? new LRUCache<string, boolean>({ max: size }) : undefined;
  const isBot = cache
    ? (ua: string): boolean => {
        const hit = cache.get(ua);
        if (hit !== undefined) return hit;
        const v = decide(ua);
        cache.set(ua, v);
        return v;
      }
    : decide;

  return {
    onRequest(ctx) {
      // The first User-Agent value, as Go's Header.Get (Node keeps the first of duplicates).
      const ua = ctx.req.headers['user-agent'];
      if (ua === undefined || ua === '') return emptyIsBot ? BOT : undefined;
      return isBot(ua) ? BOT : undefined;
    },
  };
}
