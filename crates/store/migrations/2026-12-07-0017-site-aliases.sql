-- A site's other addresses (a former domain, its CNAME, one the reader names): links to any
-- of them open in the app like links to the source's own site. `origin`: `former` (the site
-- URL the source had before), `site` (the site's own files said so), `user`.
CREATE TABLE source_aliases (
    source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    url         TEXT NOT NULL,
    origin      TEXT NOT NULL,
    PRIMARY KEY (source_id, url)
);

