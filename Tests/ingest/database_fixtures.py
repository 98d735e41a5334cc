"""The database servers and ZoneMinder of the database-backed pytest suites, as fixtures that
Tests/ingest and Tests/web both import into their conftest (one definition; see zmfixture.py).

Session: `mariadb` (a private mariadbd) and `postgres` (a private PostgreSQL 15), started once and
stopped at the end. Per test: `zm`, a ZoneMinderWriter on a fresh database with ZoneMinder 1.36's
real schema and a fresh storage root (`zm.config` is how the read-only consumer connects).
"""

import pytest

import zmfixture


@pytest.fixture(scope="session")
def mariadb():
    db = zmfixture.MariaDB()
    try:
        db.start()
        yield db
    finally:
        db.close()


@pytest.fixture(scope="session")
def postgres():
    pg = zmfixture.Postgres()
    try:
        pg.start()
        yield pg
    finally:
        pg.close()


@pytest.fixture
def zm(mariadb, tmp_path_factory):
    """A ZoneMinderWriter on a fresh ZoneMinder database; its storage root (Storage Id 1) is a fresh
    folder under pytest's temporary folder. Also: zm.config (consumer connection dict),
    zm.mariadb (the server), zm.consumer() (a read-only connection as zmface)."""
    config = mariadb.new_zm_database()
    # Storage.Path is varchar(64): a short folder from the factory, not the (long) tmp_path
    storage_root = tmp_path_factory.mktemp("zm") / "events"
    conn = mariadb.root(config["name"])
    writer = zmfixture.ZoneMinderWriter(conn, config["name"], storage_root)
    writer.config = config
    writer.mariadb = mariadb
    writer.consumer = lambda **kw: mariadb.consumer(config, **kw)
    yield writer
    if writer.conn.open:   # a test may have replaced it (server restart)
        writer.conn.close()
