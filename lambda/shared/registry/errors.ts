/** Base of every error the registry core raises on purpose; `code` is stable for callers. */
export class RegistryError extends Error {
  constructor(readonly code: 'VALIDATION' | 'NOT_FOUND' | 'CONFLICT', message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: names the field, the value received, and the fix. */
export class ValidationError extends RegistryError {
  constructor(readonly field: string, readonly value: unknown, readonly fix: string) {
    super('VALIDATION', `${field} ${describe(value)} is invalid: ${fix}`);
  }
}

/** A model, version or run that does not exist. */
export class NotFoundError extends RegistryError {
  constructor(what: string, fix: string) {
    super('NOT_FOUND', `${what} does not exist: ${fix}`);
  }
}

/** A state conflict: a race lost under optimistic concurrency, or an operation the current state forbids. */
export class ConflictError extends RegistryError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : (s.length > 80 ? `${s.slice(0, 80)}...` : s);
  } catch {
    return String(value);
  }
}
