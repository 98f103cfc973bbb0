-- Crash-loop guard: set when a source's sync attempt begins, cleared when its outcome is
-- recorded. Still set at the next run means the process died during that attempt.
ALTER TABLE sources ADD COLUMN attempt_started_at INTEGER;
