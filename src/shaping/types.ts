/**
 * Shared types for backend response shaping (KrakenD/lura "response manipulation").
 *
 * `Data` is the decoded body of one backend response (or of the merged endpoint response).
 * Values are whatever the decoder produced: plain objects, arrays, strings, booleans, null and
 * numbers (or number wrapper objects from a lossless JSON parser; the shapers never descend
 * into objects whose prototype is not `Object.prototype`/`null`, so such wrappers are leaves).
 */
export type Data = Record<string, unknown>;

/** One `extra_config.proxy.flatmap_filter` entry. */
export interface FlatmapOp {
  type: 'move' | 'del' | 'append';
  args: string[];
}

/** The per-backend manipulation options (backend `target`, `allow`, `deny`, `mapping`, `group`,
 * plus `extra_config.proxy.flatmap_filter`). */
export interface ShapeOptions {
  target?: string;
  allow?: string[];
  deny?: string[];
  mapping?: Record<string, string>;
  group?: string;
  flatmap?: FlatmapOp[];
}
