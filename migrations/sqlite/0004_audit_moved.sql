-- The check log and checkpoints live in the audit file from here on; the
-- store copies any rows these tables held into it before this runs.
DROP TABLE check_log_codes;
DROP TABLE check_log;
DROP TABLE checkpoints;
