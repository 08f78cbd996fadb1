/**
 * Exit codes: 0 success; 1 a stage failed, the run was interrupted, another run holds the
 * outputs folder, or a difference from the lock was found; 2 invalid input (the file, the
 * command line, an outputs folder that cannot be written), found before anything ran.
 */
export const EXIT = { ok: 0, failed: 1, invalid: 2 } as const;
