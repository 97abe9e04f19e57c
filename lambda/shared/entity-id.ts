// The one rule for entity ids, shared by the batch loader (which stores predictions under them)
// and the predict core (which looks them up). An id the server would reject must never be
// loaded: it would cost a write and could never be read.

/** 1-256 URL-safe characters, starting with a letter or digit. */
export const ENTITY_ID = /^[A-Za-z0-9][A-Za-z0-9_.:@+=,~-]{0,255}$/;

/** The fix shown with a rejected entity id. */
export const ENTITY_ID_FIX = 'use 1-256 letters, digits, "_", ".", ":", "@", "+", "=", ",", "~" or "-", starting with a letter or digit';

export function isEntityId(value: unknown): value is string {
  return typeof value === 'string' && ENTITY_ID.test(value);
}
