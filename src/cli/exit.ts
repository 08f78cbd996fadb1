/** Exit codes: 0 success; 1 a stage failed, the run was interrupted, or a difference from the lock was found; 2 invalid input. */
export const EXIT = { ok: 0, failed: 1, invalid: 2 } as const;
