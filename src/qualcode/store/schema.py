"""The study file's schema, as numbered migrations recorded in the file.

The schema is plain and documented (README, "The study file") so that a researcher can open a
study with ``sqlite3``, ``sqlite-utils`` or Datasette. Every change to it is a new entry in
:data:`MIGRATIONS`; a study records which ones it has in ``migrations`` and gets the rest when
it is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from sqlite3 import Connection

from qualcode.store.ids import add_autoincrement

# A migration is SQL, or a function of the connection for a change SQL alone cannot make
# generically (rebuilding tables whatever columns other migrations added). Both run inside
# the migration's transaction, with foreign keys off and checked before the commit.
MIGRATIONS: list[tuple[str, str | Callable[[Connection], None]]] = [
    (
        "initial schema",
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        CREATE TABLE organisations (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE projects (
            id INTEGER PRIMARY KEY,
            organisation_id INTEGER REFERENCES organisations(id),
            name TEXT NOT NULL,
            description TEXT,
            UNIQUE (organisation_id, name)
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            project_id INTEGER REFERENCES projects(id),
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            language TEXT NOT NULL,
            role TEXT,
            participant TEXT,
            interview_date TEXT,
            source_name TEXT,
            encoding TEXT,
            sha256 TEXT NOT NULL UNIQUE,
            char_count INTEGER NOT NULL,
            word_count INTEGER NOT NULL,
            imported_at TEXT NOT NULL
        );
        CREATE TABLE document_attributes (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (document_id, name)
        );
        CREATE TABLE turns (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            speaker TEXT,
            role TEXT,
            timestamp TEXT,
            start INTEGER NOT NULL,
            body_start INTEGER NOT NULL,
            "end" INTEGER NOT NULL
        );
        CREATE INDEX turns_document ON turns (document_id, start);
        CREATE TABLE sentences (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            turn_id INTEGER REFERENCES turns(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            lemmas TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX sentences_document ON sentences (document_id, start);
        CREATE TABLE codes (
            id INTEGER PRIMARY KEY,
            parent_id INTEGER REFERENCES codes(id),
            name TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            when_to_use TEXT NOT NULL DEFAULT '',
            when_not_to_use TEXT NOT NULL DEFAULT '',
            example TEXT NOT NULL DEFAULT '',
            color TEXT,
            shortcut TEXT,
            keywords TEXT NOT NULL DEFAULT '[]',
            codebook TEXT,
            position INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX codes_sibling_name ON codes (ifnull(parent_id, 0), name);
        CREATE TABLE coders (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE
        );
        CREATE TABLE codings (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            code_id INTEGER NOT NULL REFERENCES codes(id),
            coder_id INTEGER NOT NULL REFERENCES coders(id),
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            memo TEXT NOT NULL DEFAULT '',
            origin TEXT NOT NULL DEFAULT 'manual',
            created_at TEXT NOT NULL,
            CHECK (start >= 0 AND "end" > start)
        );
        CREATE INDEX codings_document ON codings (document_id, start);
        CREATE INDEX codings_code ON codings (code_id, document_id);
        CREATE INDEX codings_coder ON codings (coder_id);
        CREATE TABLE memos (
            id INTEGER PRIMARY KEY,
            target TEXT NOT NULL CHECK (target IN ('study', 'document', 'code', 'coding')),
            target_id INTEGER NOT NULL DEFAULT 0,
            coder_id INTEGER NOT NULL REFERENCES coders(id),
            text TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (target, target_id, coder_id)
        );
        CREATE TABLE suggestion_decisions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
            coder_id INTEGER NOT NULL REFERENCES coders(id),
            decided_at TEXT NOT NULL
        );
        CREATE INDEX suggestion_decisions_code ON suggestion_decisions (code_id);
        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            description TEXT NOT NULL,
            changes TEXT NOT NULL,
            coder_id INTEGER REFERENCES coders(id),
            created_at TEXT NOT NULL,
            undone INTEGER NOT NULL DEFAULT 0
        );
        CREATE VIRTUAL TABLE documents_fts USING fts5 (
            title, text, content='documents', content_rowid='id',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts (documents_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
        END;
        CREATE TRIGGER documents_fts_update AFTER UPDATE OF title ON documents BEGIN
            INSERT INTO documents_fts (documents_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO documents_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        """,
    ),
    (
        "coding counts per code, document and coder",
        # A tally kept by triggers, so that frequency tables and crosstabs read at most
        # codes × documents × coders rows however many codings there are (the budget is
        # 100 ms at a million codings). It is derived data: rebuild it with
        # DELETE FROM coding_counts; INSERT INTO coding_counts SELECT … GROUP BY … if ever in doubt.
        """
        CREATE TABLE coding_counts (
            code_id INTEGER NOT NULL,
            document_id INTEGER NOT NULL,
            coder_id INTEGER NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (code_id, document_id, coder_id)
        ) WITHOUT ROWID;
        INSERT INTO coding_counts (code_id, document_id, coder_id, n)
            SELECT code_id, document_id, coder_id, count(*) FROM codings GROUP BY code_id, document_id, coder_id;
        CREATE TRIGGER coding_counts_insert AFTER INSERT ON codings BEGIN
            INSERT INTO coding_counts (code_id, document_id, coder_id, n)
            VALUES (new.code_id, new.document_id, new.coder_id, 1)
            ON CONFLICT (code_id, document_id, coder_id) DO UPDATE SET n = n + 1;
        END;
        CREATE TRIGGER coding_counts_delete AFTER DELETE ON codings BEGIN
            UPDATE coding_counts SET n = n - 1
            WHERE code_id = old.code_id AND document_id = old.document_id AND coder_id = old.coder_id;
            DELETE FROM coding_counts
            WHERE code_id = old.code_id AND document_id = old.document_id AND coder_id = old.coder_id AND n <= 0;
        END;
        CREATE TRIGGER coding_counts_update AFTER UPDATE OF code_id, document_id, coder_id ON codings
        WHEN old.code_id != new.code_id OR old.document_id != new.document_id OR old.coder_id != new.coder_id
        BEGIN
            UPDATE coding_counts SET n = n - 1
            WHERE code_id = old.code_id AND document_id = old.document_id AND coder_id = old.coder_id;
            DELETE FROM coding_counts
            WHERE code_id = old.code_id AND document_id = old.document_id AND coder_id = old.coder_id AND n <= 0;
            INSERT INTO coding_counts (code_id, document_id, coder_id, n)
            VALUES (new.code_id, new.document_id, new.coder_id, 1)
            ON CONFLICT (code_id, document_id, coder_id) DO UPDATE SET n = n + 1;
        END;
        """,
    ),
    (
        "an organisation's documents without a project hang under an unnamed project",
        # ensure_project used to file them under a project named "(geen project)", which
        # listings, crosstabs and exports showed as if it were a real project. The empty name
        # now marks that row (store/documents.py NO_PROJECT) and reads as no project.
        """
        UPDATE projects SET name = '' WHERE name = '(geen project)' AND organisation_id IS NOT NULL;
        """,
    ),
    (
        "mark word counts that include speaker labels",
        # Documents imported before this counted speaker labels and timestamps ("Interviewer:",
        # "[00:01:23]") as words. SQL cannot count words the way nlp.spoken_word_count does, so
        # the study is marked and `qualcode recount` recounts in Python and clears the mark.
        """
        INSERT INTO meta (key, value) SELECT 'word_counts', 'with speaker labels'
            WHERE EXISTS (SELECT 1 FROM documents);
        """,
    ),
    (
        "cases (families or households) and waves as fields of a document",
        # A case groups the documents of one family (a parent, a child, their coach); a wave
        # is the moment of measurement (1, 2, …). Ids of cases are never reused (AUTOINCREMENT).
        """
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL UNIQUE,
            label TEXT,
            created_at TEXT
        );
        ALTER TABLE documents ADD COLUMN case_id INTEGER REFERENCES cases(id);
        ALTER TABLE documents ADD COLUMN wave TEXT;
        CREATE INDEX documents_case ON documents (case_id);
        """,
    ),
    (
        "index the undo log by coder, so applying, undoing and redoing stay flat as it grows",
        # Every new action deletes the coder's redo chain (undone = 1) and undo/redo look for
        # the coder's newest/oldest entry: without this index each was a scan of the whole log
        # (142 ms per coding at a million logged actions).
        """
        CREATE INDEX IF NOT EXISTS history_coder ON history (coder_id, undone, id);
        """,
    ),
    (
        "code provenance (source document, section, quote, inductive) and a codebooks table",
        # Codebook format v2: a code credited to a source document carries the document's
        # title, the section and the source's own words; a code of the study team's own is
        # marked inductive. The codebooks table remembers each codebook's description and
        # source, which the per-code `codes.codebook` name alone lost on export.
        """
        ALTER TABLE codes ADD COLUMN source_document TEXT NOT NULL DEFAULT '';
        ALTER TABLE codes ADD COLUMN source_section TEXT NOT NULL DEFAULT '';
        ALTER TABLE codes ADD COLUMN source_quote TEXT NOT NULL DEFAULT '';
        ALTER TABLE codes ADD COLUMN inductive INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE IF NOT EXISTS codebooks (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            description TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            position INTEGER NOT NULL DEFAULT 0
        );
        INSERT OR IGNORE INTO codebooks (name, position)
            SELECT codebook, min(id) FROM codes WHERE ifnull(codebook, '') != '' GROUP BY codebook;
        """,
    ),
    (
        "ids are never reused (AUTOINCREMENT on every table the undo log names)",
        # Without it a removed document's id went to the next import, and an undo of an old
        # coding landed on that other interview. See store/ids.py.
        add_autoincrement,
    ),
    (
        "case attributes, outcome variables per case and wave, and the wave attribute moved to documents.wave",
        # Each row has an id so that the undo log (which replays rows by id) can record it,
        # never reused (AUTOINCREMENT), as store/ids.py explains.
        # Variables are stored as written; `numeric` says whether the column was read as
        # numbers (its values are then canonical decimal-point numbers). Documents that carried
        # wave as a free attribute get it in the field, and the attribute goes.
        """
        CREATE TABLE IF NOT EXISTS case_attributes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            UNIQUE (case_id, name)
        );
        CREATE TABLE IF NOT EXISTS case_variables (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
            wave TEXT NOT NULL,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            numeric INTEGER NOT NULL DEFAULT 0,
            UNIQUE (case_id, wave, name)
        );
        CREATE INDEX IF NOT EXISTS case_variables_name ON case_variables (name, numeric);
        CREATE INDEX IF NOT EXISTS documents_wave ON documents (wave);
        CREATE INDEX IF NOT EXISTS documents_case_wave ON documents (case_id, wave);
        UPDATE documents SET wave = (
            SELECT a.value FROM document_attributes a WHERE a.document_id = documents.id AND a.name = 'wave'
        ) WHERE wave IS NULL AND id IN (SELECT document_id FROM document_attributes WHERE name = 'wave');
        DELETE FROM document_attributes WHERE name = 'wave';
        """,
    ),
    (
        "passages per document, code and coder, kept up to date as codings change",
        # A code's passages (its spans merged across coders and sub-codes) and the words in
        # them cost a second to compute over a million codings, too slow for every `stats`.
        # They are derived per document and stored; triggers mark a document dirty when one
        # of its codings (or the code tree) changes, and the analysis recomputes only dirty
        # documents before reading (qualcode.analysis.derived). coder_id 0 holds every
        # coder's spans merged; rollup 1 merges sub-codes into their ancestors.
        # respondent_words caches the words respondents said per document (texts and turns
        # never change after import). Both tables can be emptied at any time: DELETE FROM
        # passage_counts; INSERT INTO passage_dirty SELECT id FROM documents.
        """
        CREATE TABLE IF NOT EXISTS passage_counts (
            rollup INTEGER NOT NULL,
            coder_id INTEGER NOT NULL,
            code_id INTEGER NOT NULL,
            document_id INTEGER NOT NULL,
            passages INTEGER NOT NULL,
            words INTEGER NOT NULL,
            PRIMARY KEY (rollup, coder_id, code_id, document_id)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS passage_counts_document ON passage_counts (document_id);
        CREATE INDEX IF NOT EXISTS coding_counts_document ON coding_counts (document_id, coder_id);
        CREATE TABLE IF NOT EXISTS passage_dirty (document_id INTEGER PRIMARY KEY);
        CREATE TABLE IF NOT EXISTS respondent_words (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            words INTEGER NOT NULL
        );
        INSERT OR IGNORE INTO passage_dirty (document_id) SELECT DISTINCT document_id FROM codings;
        CREATE TRIGGER IF NOT EXISTS passage_dirty_insert AFTER INSERT ON codings BEGIN
            INSERT OR IGNORE INTO passage_dirty (document_id) VALUES (new.document_id);
        END;
        CREATE TRIGGER IF NOT EXISTS passage_dirty_delete AFTER DELETE ON codings BEGIN
            INSERT OR IGNORE INTO passage_dirty (document_id) VALUES (old.document_id);
        END;
        CREATE TRIGGER IF NOT EXISTS passage_dirty_update
        AFTER UPDATE OF code_id, document_id, coder_id, start, "end" ON codings BEGIN
            INSERT OR IGNORE INTO passage_dirty (document_id) VALUES (old.document_id);
            INSERT OR IGNORE INTO passage_dirty (document_id) VALUES (new.document_id);
        END;
        CREATE TRIGGER IF NOT EXISTS passage_dirty_tree AFTER UPDATE OF parent_id ON codes
        WHEN old.parent_id IS NOT new.parent_id BEGIN
            INSERT OR IGNORE INTO passage_dirty (document_id) SELECT DISTINCT document_id FROM codings;
        END;
        CREATE TRIGGER IF NOT EXISTS passage_counts_document_gone AFTER DELETE ON documents BEGIN
            DELETE FROM passage_counts WHERE document_id = old.id;
            DELETE FROM passage_dirty WHERE document_id = old.id;
        END;
        """,
    ),
    (
        "presence: who has the study open now, and where (heartbeats that expire)",
        # Written outside the undo log, one row per open session; rows older than ~30 s are
        # ignored (a session that crashed leaves a row that simply expires).
        """
        CREATE TABLE IF NOT EXISTS presence (
            session TEXT PRIMARY KEY,
            coder TEXT NOT NULL,
            document_id INTEGER,
            activity TEXT,
            seen_at REAL NOT NULL
        );
        """,
    ),
    (
        "suggestion models kept in the study (so S opens at once after the first training)",
        # One row: what the assistant kept of its fitted models, keyed by a hash of the study's
        # fingerprint (codings, decisions, sentences, codes) and the settings, so any new
        # coding or decision makes it stale; signed with the user's own key (assist/persist.py),
        # so a study file from elsewhere is never read. (Written first as a pickle of the
        # models; since 2026-12 each code's float32 scores, compressed, with a JSON header.)
        """
        CREATE TABLE IF NOT EXISTS suggestion_models (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL,
            model BLOB NOT NULL,
            signature TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        """,
    ),
    (
        "codings per document as packed arrays, derived with the passages",
        # Reading a million codings out of SQLite as numbers costs about half a second; the
        # same codings packed per document (int32 code, coder, start and end columns, little
        # endian) read in a few tens of milliseconds. Rows are rewritten for the documents
        # marked in passage_dirty, with their passages (qualcode.analysis.derived); a study
        # from before this migration builds every row once, on the first read (the meta key
        # coding_arrays says they are complete). Derived data: DELETE FROM coding_arrays;
        # DELETE FROM meta WHERE key = 'coding_arrays' rebuilds it.
        """
        CREATE TABLE IF NOT EXISTS coding_arrays (
            document_id INTEGER PRIMARY KEY,
            n INTEGER NOT NULL,
            data BLOB NOT NULL
        );
        CREATE TRIGGER IF NOT EXISTS coding_arrays_document_gone AFTER DELETE ON documents BEGIN
            DELETE FROM coding_arrays WHERE document_id = old.id;
        END;
        """,
    ),
    (
        "document attributes get an id, so editing them is recorded in the undo log",
        # The undo log records rows by id; document_attributes had only (document_id, name).
        # Rebuilt with the rows unchanged; (document_id, name) stays unique.
        """
        CREATE TABLE document_attributes_new (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            UNIQUE (document_id, name)
        );
        INSERT INTO document_attributes_new (document_id, name, value)
            SELECT document_id, name, value FROM document_attributes ORDER BY document_id, name;
        DROP TABLE document_attributes;
        ALTER TABLE document_attributes_new RENAME TO document_attributes;
        """,
    ),
    (
        "codings: one covering index for opening a document (where, which code, which coder)",
        # The coding view reads (id, code_id, coder_id, start, end) of every coding of a
        # document when it opens one; with (document_id, start) only, each of 20,000 rows
        # was a lookup in the table (60 ms); from the index alone it is half that, already
        # in start order. It replaces codings_document, its prefix.
        """
        CREATE INDEX IF NOT EXISTS codings_document_spans ON codings (document_id, start, "end", code_id, coder_id);
        DROP INDEX IF EXISTS codings_document;
        """,
    ),
    (
        "codings with a memo: a partial index (memo marks in the text, the memo overview)",
        # Few codings carry a memo; without it marking them meant reading every coding row of
        # a document (40 ms for 20,000) and the overview every coding of the study.
        "CREATE INDEX IF NOT EXISTS codings_with_memo ON codings (document_id) WHERE memo != '';",
    ),
    (
        "passages per document as packed arrays, with the codings (replaces passage_counts)",
        # passage_counts held one row per (rollup, coder, code, document): reading the rows a
        # frequency table needs (65,000 at a million codings) cost 25-35 ms of SQLite steps,
        # and the codings per code another 15 ms from the tally. Here one row per (rollup,
        # coder, document) holds int32 columns code, passages, words, codings (little endian,
        # column after column): the table reads in a few milliseconds, and a changed document
        # rewrites 6 rows, not 400. Same meaning as before (coder_id 0: every coder merged;
        # rollup 1: sub-codes in their ancestors); codings are counted the same way (rolled
        # up: a sub-code's coding counts in each ancestor). Derived data: every coded document
        # is marked dirty here and derived again on the first read.
        """
        CREATE TABLE IF NOT EXISTS passage_arrays (
            id INTEGER PRIMARY KEY,
            rollup INTEGER NOT NULL,
            coder_id INTEGER NOT NULL,
            document_id INTEGER NOT NULL,
            n INTEGER NOT NULL,
            data BLOB NOT NULL,
            UNIQUE (rollup, coder_id, document_id)
        );
        CREATE INDEX IF NOT EXISTS passage_arrays_document ON passage_arrays (document_id);
        DROP TRIGGER IF EXISTS passage_counts_document_gone;
        CREATE TRIGGER IF NOT EXISTS passage_arrays_document_gone AFTER DELETE ON documents BEGIN
            DELETE FROM passage_arrays WHERE document_id = old.id;
            DELETE FROM passage_dirty WHERE document_id = old.id;
        END;
        DROP TABLE IF EXISTS passage_counts;
        INSERT OR IGNORE INTO passage_dirty (document_id) SELECT DISTINCT document_id FROM coding_counts;
        """
        # and a covering index for the documents' frame of every analysis (group, participant,
        # case, words): those columns sit after the text, and reading them walked each
        # transcript's overflow pages (7 ms of a frequency table at 1,000 documents, 1.5 ms here)
        """
        CREATE INDEX IF NOT EXISTS documents_frame
            ON documents (id, project_id, title, role, participant, case_id, word_count, wave);
        """
        # and the packed codings get a fifth int32 column, each coding's run (how many of the
        # same coder's codings after it start before it ends: the overlap co-occurrence looked
        # that up for every coding, 65 ms at a million): rebuilt on the first read
        """
        DELETE FROM coding_arrays;
        DELETE FROM meta WHERE key = 'coding_arrays';
        """,
    ),
    (
        "packed codings carry their document's overlapping pairs per coder and pair of codes",
        # The overlap co-occurrence swept every coding of the scope at each reading (8.7
        # million pairs, about 400 ms at a million codings; budget 500 ms). Each document's
        # pairs are now counted when its codings are packed: pairs_n rows of int32 columns
        # coder, code a, code b (a < b), pairs, codings of a meeting b, codings of b meeting
        # a (little endian, column after column), summed per reading. Derived data: rebuilt
        # on the first read.
        """
        ALTER TABLE coding_arrays ADD COLUMN pairs_n INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE coding_arrays ADD COLUMN pairs BLOB NOT NULL DEFAULT x'';
        DELETE FROM coding_arrays;
        DELETE FROM meta WHERE key = 'coding_arrays';
        """,
    ),
]
