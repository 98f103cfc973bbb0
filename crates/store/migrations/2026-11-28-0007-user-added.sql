-- Whether the reader added this source themselves (add-source, the window, a folder import)
-- rather than it arriving in a file (an OPML list, a backup). Only the hosts of sources the
-- reader added may be on private addresses; sources that came in a file are held to the
-- public-network rule like any URL found in content. Sources from before this migration were
-- added by the reader.
ALTER TABLE sources ADD COLUMN user_added INTEGER NOT NULL DEFAULT 1;
